// The HTTP stack's answer-by deadline: a route that has not answered by the function's time left
// minus the margin is answered 503 with Retry-After, never 500. Timers and performance.now() are
// faked, so the deadline is checked to the millisecond without waiting for it.

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ANSWER_MARGIN_MS, httpHandler, RETRY_AFTER_SECONDS } from '../../shared/http/function';
import type { HttpRequest, HttpResult, Route } from '../../shared/http/request';
import { functionHandler } from '../../shared/runtime';
import { checkResponse } from '../support/contract';
import { httpApiEvent, lambdaContext } from '../support/http';

const accepted: HttpResult = { status: 202, body: { events: [] } };

function recordingLogger() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      lines.push({ level, message, attributes });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

function handlerFor(route: Route, options: { answerMarginMs?: number } = {}) {
  const { lines, logger } = recordingLogger();
  const handler = httpHandler(route, { name: 'confgo', logger, maxBodyBytes: 1024 * 1024, ...options });
  const call = (remainingMs: number) =>
    handler(httpApiEvent({ path: '/webhooks/confgo', body: '{}' }), lambdaContext('confgo', remainingMs));
  return { call, lines };
}

/** The answer once it has come, or undefined while it has not. */
function watch(answer: Promise<APIGatewayProxyStructuredResultV2>) {
  let settled: APIGatewayProxyStructuredResultV2 | undefined;
  void answer.then((value) => {
    settled = value;
  });
  return () => settled;
}

async function expectOutOfTime(answer: APIGatewayProxyStructuredResultV2 | undefined) {
  expect(answer?.statusCode).toBe(503);
  expect(answer?.headers?.['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
  expect(JSON.parse(String(answer?.body))).toEqual({
    error: {
      code: 'service_unavailable',
      message: 'the function ran out of time before it could answer; retry the request',
    },
  });
  await checkResponse({
    method: 'POST',
    path: '/webhooks/confgo',
    status: answer?.statusCode ?? 0,
    headers: answer?.headers ?? {},
    text: String(answer?.body),
  });
}

describe('the HTTP stack running out of time', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers 503 with Retry-After at the time left minus the margin, for a route that never answers', async () => {
    const { call, lines } = handlerFor(() => new Promise<HttpResult>(() => undefined));
    const answer = watch(call(DEFAULT_ANSWER_MARGIN_MS + 400));
    await vi.advanceTimersByTimeAsync(399);
    expect(answer()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await expectOutOfTime(answer());
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'request failed',
        attributes: expect.objectContaining({ status: 503, error_code: 'service_unavailable' }),
      }),
    );
  });

  it("answers 503, not middy's 500, even with no margin (middy's early timeout would come 5 ms sooner)", async () => {
    // middy schedules its timeout with node:timers, which the fake clock does not replace: real time here.
    vi.useRealTimers();
    const { call } = handlerFor(() => new Promise<HttpResult>(() => undefined), { answerMarginMs: 0 });
    await expectOutOfTime(await call(200));
  });

  it('does not start the route when the time left is already within the margin', async () => {
    const route = vi.fn(async () => accepted);
    const { call } = handlerFor(route);
    await expectOutOfTime(await call(DEFAULT_ANSWER_MARGIN_MS));
    expect(route).not.toHaveBeenCalled();
  });

  it('passes an answer made in time through, and leaves no timer behind', async () => {
    const { call } = handlerFor(() => new Promise<HttpResult>((resolve) => setTimeout(() => resolve(accepted), 5_000)));
    const answer = watch(call(15_000));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(answer()?.statusCode).toBe(202);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tells the route how long it has until that answer, counting down', async () => {
    const seen: number[] = [];
    const { call } = handlerFor(async (request: HttpRequest) => {
      seen.push(request.timeLeftMs());
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      seen.push(request.timeLeftMs());
      return accepted;
    });
    const answer = watch(call(10_000));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(answer()?.statusCode).toBe(202);
    expect(seen).toEqual([10_000 - DEFAULT_ANSWER_MARGIN_MS, 8_000 - DEFAULT_ANSWER_MARGIN_MS]);
  });

  it('has no deadline without a Lambda context that counts down', async () => {
    const seen: number[] = [];
    const handler = httpHandler(
      async (request) => {
        seen.push(request.timeLeftMs());
        return accepted;
      },
      { name: 'confgo', logger: recordingLogger().logger, maxBodyBytes: 1024 },
    );
    const context = lambdaContext();
    Reflect.deleteProperty(context, 'getRemainingTimeInMillis');
    expect((await handler(httpApiEvent({ path: '/webhooks/confgo', body: '{}' }), context)).statusCode).toBe(202);
    expect(seen).toEqual([Number.POSITIVE_INFINITY]);
  });

  it('logs how a route cut short ended, when it ends after its 503', async () => {
    const { call, lines } = handlerFor(
      () => new Promise<HttpResult>((resolve) => setTimeout(() => resolve(accepted), 3_000)),
    );
    const answer = watch(call(DEFAULT_ANSWER_MARGIN_MS + 1_000));
    await vi.advanceTimersByTimeAsync(1_000);
    await expectOutOfTime(answer());
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'request finished after its 503',
        attributes: expect.objectContaining({ function: 'confgo', status: 202 }),
      }),
    );
  });
});

describe('a function that cannot start with its configuration', () => {
  it('answers every request 503 with the same Retry-After as every other 503', async () => {
    vi.stubEnv('JUNOEVENT_CONFIG', '/nonexistent/junoevent.toml');
    try {
      const handler = functionHandler('confgo');
      const answer = await handler(httpApiEvent({ path: '/webhooks/confgo', body: '{}' }), lambdaContext());
      expect(answer.statusCode).toBe(503);
      expect(answer.headers?.['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(JSON.parse(String(answer.body)).error.code).toBe('service_unavailable');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
