import { describe, expect, it } from 'vitest';
import {
  createReadApi,
  type Failure,
  isFailure,
  type PageEvent,
  type ReadApiOptions,
  readEvent,
  readPage,
} from '../../../shared/page/browser/api';

const EVENT: PageEvent = {
  id: 42,
  app_name: 'user-svc',
  env: 'prod',
  host_name: 'web-1',
  user_name: 'ana',
  operation: 'confgo_file_publish',
  operation_name: '配置发布',
  create_time: 1_700_000_000,
  source: 'confgo',
  metadata: '{"file":"user.toml"}',
};

/** A read API over a fetch that answers `answer` and records what it was asked. */
function apiAnswering(answer: () => Promise<Response>, token: string | null = 'tok-123') {
  const calls: { url: string; init: RequestInit }[] = [];
  const options: ReadApiOptions = {
    fetch: (url, init) => {
      calls.push({ url: url.href, init });
      return answer();
    },
    token: () => token,
    base: () => 'https://events.example/dev/?app=x',
  };
  return { api: createReadApi(options), calls };
}

const json = (status: number, body: unknown, statusText = '') =>
  new Response(JSON.stringify(body), { status, statusText, headers: { 'content-type': 'application/json' } });

async function failureOf(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    if (isFailure(error)) return error;
    throw error;
  }
  throw new Error('the request did not fail');
}

describe('the page’s read API client', () => {
  it('asks the API beside the page, with the tab’s token and no cache, and hands back the body', async () => {
    const { api, calls } = apiAnswering(async () => json(200, { events: [] }));
    await expect(api('events', { app_name: 'user-svc', since: '1700000000' })).resolves.toEqual({ events: [] });
    expect(calls).toEqual([
      {
        url: 'https://events.example/dev/events?app_name=user-svc&since=1700000000',
        init: { headers: { authorization: 'Bearer tok-123' }, cache: 'no-store' },
      },
    ]);
  });

  it('asks for the token without calling the API when the tab has none', async () => {
    const { api, calls } = apiAnswering(async () => json(200, {}), null);
    expect(await failureOf(api('events'))).toEqual({ kind: 'token', status: 0, message: 'no token' });
    expect(calls).toEqual([]);
  });

  it('sorts refusals by status, quoting the API’s code and message', async () => {
    const error = (status: number, code: string) => async () =>
      json(status, { error: { code, message: `${code} happened` } });
    expect(await failureOf(apiAnswering(error(401, 'invalid_token')).api('events'))).toEqual({
      kind: 'token',
      status: 401,
      message: '401 invalid_token: invalid_token happened',
    });
    expect((await failureOf(apiAnswering(error(404, 'not_found')).api('events/9'))).kind).toBe('missing');
    expect((await failureOf(apiAnswering(error(400, 'invalid_query')).api('events'))).kind).toBe('refused');
    expect((await failureOf(apiAnswering(error(503, 'unavailable')).api('events'))).kind).toBe('unavailable');
  });

  it('calls an API that cannot be reached, or answers without JSON, unavailable', async () => {
    const down = apiAnswering(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await failureOf(down.api('events'))).toEqual({
      kind: 'unavailable',
      status: 0,
      message: 'the API cannot be reached',
    });
    const gateway = apiAnswering(async () => new Response('<html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(await failureOf(gateway.api('events'))).toEqual({
      kind: 'unavailable',
      status: 502,
      message: '502 Bad Gateway: no details',
    });
    const empty = apiAnswering(async () => new Response('', { status: 200, statusText: 'OK' }));
    expect((await failureOf(empty.api('events'))).kind).toBe('unavailable');
  });

  it('takes a page of events and its cursor, and refuses a page with an event of another shape', () => {
    expect(readPage({ events: [EVENT], next_cursor: 'abc' })).toEqual({ events: [EVENT], next: 'abc' });
    expect(readPage({ events: [] })).toEqual({ events: [], next: undefined });
    const { metadata: _, ...noMetadata } = EVENT;
    expect(() => readPage({ events: [EVENT, noMetadata] })).toThrow(
      expect.objectContaining({ kind: 'unavailable', message: 'the API answered GET /events with an unexpected body' }),
    );
    expect(() => readPage([EVENT])).toThrow(expect.objectContaining({ kind: 'unavailable' }));
  });

  it('reads one event by id, checked', async () => {
    await expect(readEvent(apiAnswering(async () => json(200, EVENT)).api, '42')).resolves.toEqual(EVENT);
    await expect(readEvent(apiAnswering(async () => json(200, { id: '42' })).api, '42')).rejects.toEqual({
      kind: 'unavailable',
      status: 200,
      message: 'the API answered GET /events/42 with an unexpected body',
    });
  });
});
