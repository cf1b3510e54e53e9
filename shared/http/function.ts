// The one middleware stack every HTTP function uses: header normalisation, the raw body kept as
// received (signatures are checked over it), an answer-by deadline before the function's timeout,
// one structured log line per request with its metrics, and the one place where errors become responses.

import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { BadRequestError, HttpError, PayloadTooLargeError, ServiceUnavailableError } from '../errors';
import { isPlainObject } from '../json';
import type { Log } from '../logger';
import { type HTTP_FUNCTIONS, type MetricsSink, NO_METRICS, type RequestOutcome } from '../metrics/catalogue';
import type { HttpRequest, HttpResult, Route } from './request';

/** The Retry-After of every 503 junoevent answers, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * How long before the function's timeout a route that has not answered is cut short with a 503: time
 * for the answer to leave the function and reach API Gateway before Lambda stops it.
 */
export const DEFAULT_ANSWER_MARGIN_MS = 1_500;

export interface HttpHandlerOptions {
  name: (typeof HTTP_FUNCTIONS)[number];
  logger: Log;
  /** Counts each request by outcome and writes the request's metrics once it is answered; none when not given. */
  metrics?: MetricsSink;
  maxBodyBytes: number;
  /** Milliseconds before the function's timeout by which every request is answered; 1,500 by default. */
  answerMarginMs?: number;
}

/** 503: the route did not answer before the function's time ran out. */
export class OutOfTimeError extends ServiceUnavailableError {
  constructor() {
    super('the function ran out of time before it could answer; retry the request');
  }
}

type Handler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

export function httpHandler(route: Route, options: HttpHandlerOptions): Handler {
  const { name, logger, maxBodyBytes, answerMarginMs = DEFAULT_ANSWER_MARGIN_MS, metrics = NO_METRICS } = options;
  if (!Number.isFinite(answerMarginMs) || answerMarginMs < 0) {
    throw new RangeError(`answerMarginMs must be a number of milliseconds, 0 or more (got ${answerMarginMs})`);
  }
  const started = new WeakMap<object, number>();
  // middy's own early timeout is off: it would answer with an error that becomes a 500, 5 ms before
  // the end. The deadline below answers a 503 instead, with time to spare.
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(httpHeaderNormalizer())
    .use({
      before: (request) => {
        started.set(request.event, performance.now());
      },
      onError: (request) => {
        const result = errorResult(request.error);
        request.response = toResponse(result);
        logRequest(logger, name, request.event, request.context, result, started.get(request.event), request.error);
        countRequest(metrics, name, result);
      },
    })
    .handler(async (event, context) => {
      const deadline = answerBy(context, answerMarginMs);
      const timeLeftMs = () => deadline - performance.now();
      const request = toHttpRequest(event, maxBodyBytes, timeLeftMs);
      // Too late to start: nothing is begun that could not be finished.
      if (timeLeftMs() <= 0) throw new OutOfTimeError();
      const pending = route(request);
      const result = await beforeDeadline(pending, timeLeftMs(), () =>
        // The route keeps running until Lambda freezes the container: say how it ended, if it does.
        pending.then(
          (late) =>
            logger.warn('request finished after its 503', {
              function: name,
              request_id: context.awsRequestId,
              status: late.status,
            }),
          (error: unknown) =>
            logger.warn('request failed after its 503', {
              function: name,
              request_id: context.awsRequestId,
              error: describeError(error),
            }),
        ),
      );
      logRequest(logger, name, event, context, result, started.get(event));
      countRequest(metrics, name, result);
      return toResponse(result);
    });
}

/** When, on the performance.now() clock, the request must be answered; Infinity without a Lambda context. */
function answerBy(context: Context, marginMs: number): number {
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  return remaining === undefined ? Number.POSITIVE_INFINITY : performance.now() + remaining - marginMs;
}

/** The route's result, or an OutOfTimeError once `ms` have passed (the route itself cannot be stopped). */
function beforeDeadline(pending: Promise<HttpResult>, ms: number, onLate: () => void): Promise<HttpResult> {
  if (ms === Number.POSITIVE_INFINITY) return pending;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => {
        onLate();
        reject(new OutOfTimeError());
      },
      Math.max(0, ms),
    );
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}

function toHttpRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number, timeLeftMs: () => number): HttpRequest {
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '',
    headers: event.headers ?? {},
    query: event.queryStringParameters ?? {},
    pathParameters: event.pathParameters ?? {},
    rawBody: decodeBody(event, maxBodyBytes),
    timeLeftMs,
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(event: APIGatewayProxyEventV2, maxBodyBytes: number): string {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : undefined;
  const size = bytes?.length ?? Buffer.byteLength(body);
  if (size > maxBodyBytes) {
    throw new PayloadTooLargeError(`the body is ${size} bytes; the limit is ${maxBodyBytes}`);
  }
  if (bytes === undefined) return body;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new BadRequestError('invalid_utf8', 'the body is not valid UTF-8');
  }
}

function errorResult(error: unknown): HttpResult {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message } },
      headers: error.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {},
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'internal error; the function log has the details' } },
  };
}

/** A 503 `service_unavailable` with the Retry-After every 503 carries: for answers made outside a route. */
export function serviceUnavailableResponse(message: string): APIGatewayProxyStructuredResultV2 {
  return toResponse(errorResult(new ServiceUnavailableError(message)));
}

function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.text !== undefined) {
    return {
      statusCode: result.status,
      headers: { 'content-type': result.text.contentType, ...result.headers },
      body: result.text.content,
    };
  }
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: JSON.stringify(result.body),
  };
}

function logRequest(
  logger: Log,
  name: string,
  event: APIGatewayProxyEventV2,
  context: Context,
  result: HttpResult,
  startedAt: number | undefined,
  error?: unknown,
): void {
  const body = isPlainObject(result.body) ? result.body : {};
  const failure = isPlainObject(body.error) ? body.error : undefined;
  const attributes: Record<string, unknown> = {
    function: name,
    method: event.requestContext?.http?.method,
    path: event.rawPath,
    request_id: context.awsRequestId,
    status: result.status,
    duration_ms: startedAt === undefined ? undefined : Math.round((performance.now() - startedAt) * 100) / 100,
    ...(failure ? { error_code: failure.code, error_message: failure.message } : {}),
    ...result.log,
  };
  if (result.status >= 500) {
    logger.error('request failed', { ...attributes, error: describeError(error) });
  } else if (result.status >= 400) {
    logger.warn('request rejected', attributes);
  } else {
    logger.info('request handled', attributes);
  }
}

/** Counts the request by outcome (and by error code when refused or failed), then writes the invocation's metrics. */
function countRequest(metrics: MetricsSink, name: (typeof HTTP_FUNCTIONS)[number], result: HttpResult): void {
  metrics.add('Requests', { function: name, outcome: requestOutcome(result) }, 1);
  const failure = isPlainObject(result.body) && isPlainObject(result.body.error) ? result.body.error : undefined;
  if (result.status >= 400) {
    const code = typeof failure?.code === 'string' ? failure.code : `http_${result.status}`;
    metrics.add('RequestErrors', { function: name, error_code: code }, 1);
  }
  metrics.flush();
}

/** How the request ended, from its status and what the route logged (a webhook's outcome and duplicates). */
export function requestOutcome(result: HttpResult): RequestOutcome {
  if (result.status >= 500) return 'failed';
  if (result.status === 401) return 'unauthorized';
  if (result.status >= 400) return 'refused';
  const log = result.log ?? {};
  if (log.outcome === 'ignored') return 'ignored';
  if (log.outcome !== 'accepted') return 'answered';
  const events = Array.isArray(log.event_ids) ? log.event_ids.length : 0;
  return events > 0 && log.duplicates === events ? 'duplicate' : 'accepted';
}

/** Name, message and cause chain of an unexpected error, for the log only. */
function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}
