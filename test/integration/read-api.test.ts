// GET /events/{id} and GET /events against the embedded DynamoDB, with events recorded through the
// confgo and devops functions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, SECRETS, useFunctionEnv } from '../support/config';
import { startTestTable, type TestTable } from '../support/dynamo';
import { type Handler, invoke, signStandard } from '../support/http';

let table: TestTable;
let confgo: Handler;
let devops: Handler;
let events: Handler;

const AUTH = { authorization: `Bearer ${API_TOKEN}` };
const recorded: { id: number; body: Record<string, unknown> }[] = [];
/** The listing's times: unix seconds in 2023. */
const T = 1_700_000_000;

async function record(handler: Handler, source: 'confgo' | 'devops', body: Record<string, unknown>) {
  const text = JSON.stringify(body);
  const response = await invoke(handler, {
    path: `/webhooks/${source}`,
    body: text,
    headers: signStandard(SECRETS[source], text),
  });
  expect(response.status).toBe(202);
  const id = (response.body as { events: { id: number }[] }).events[0]?.id ?? 0;
  recorded.push({ id, body });
  return id;
}

function get(query: Record<string, string>, headers: Record<string, string> = AUTH) {
  return invoke(events, { method: 'GET', path: '/events', query, headers });
}

function getOne(id: string, headers: Record<string, string> = AUTH) {
  return invoke(events, {
    method: 'GET',
    path: `/events/${id}`,
    routeKey: 'GET /events/{id}',
    pathParameters: { id },
    headers,
  });
}

function ids(response: { body: unknown }): number[] {
  return (response.body as { events: { id: number }[] }).events.map((event) => event.id);
}

beforeAll(async () => {
  table = await startTestTable();
  useFunctionEnv(table.endpoint);
  confgo = (await import('../../functions/confgo')).handler;
  devops = (await import('../../functions/devops')).handler;
  events = (await import('../../functions/events')).handler;
  // user-svc: five events at T..T+4; order-svc: two; one with create_time in between.
  for (let i = 0; i < 5; i += 1) {
    const operation = i % 2 === 0 ? 'confgo_file_publish' : 'confgo_file_update';
    await record(confgo, 'confgo', {
      app_name: 'user-svc',
      env: i < 3 ? 'prod' : 'dev',
      operation,
      create_time: T + i,
    });
  }
  await record(devops, 'devops', { app_name: 'order-svc', operation: 'devops_deploy', create_time: T + 2 });
  await record(devops, 'devops', { app_name: 'user-svc', operation: 'app_node_restart', create_time: T + 5 });
});

afterAll(async () => {
  await table?.close();
});

describe('GET /events/{id}', () => {
  it('returns the stored record: exactly the 15 fields in the spec order, nothing internal', async () => {
    const [first] = recorded;
    const response = await getOne(String(first?.id));
    expect(response.status).toBe(200);
    expect(Object.keys(response.body as object)).toEqual([
      'id',
      'app_name',
      'aid',
      'zone_code',
      'env',
      'host_name',
      'operator_type',
      'user_name',
      'uid',
      'operation',
      'create_time',
      'source',
      'metadata',
      'operation_name',
      'source_name',
    ]);
    expect(response.body).toEqual({
      id: first?.id,
      app_name: 'user-svc',
      aid: 0,
      zone_code: '',
      env: 'prod',
      host_name: '',
      operator_type: 'user',
      user_name: '',
      uid: 0,
      operation: 'confgo_file_publish',
      create_time: T,
      source: 'confgo',
      metadata: '{}',
      operation_name: '配置发布',
      source_name: '配置中心',
    });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await getOne('123')).status).toBe(404);
    expect((await getOne('12ab')).status).toBe(400);
    expect((await getOne('0')).status).toBe(400);
    expect((await getOne('99999999999999999')).status).toBe(400);
  });

  it('requires the bearer token', async () => {
    const id = String(recorded[0]?.id);
    const missing = await getOne(id, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: 'missing_token', message: expect.any(String) } });
    const wrong = await getOne(id, { authorization: 'Bearer not-the-token-at-all' });
    expect(wrong.status).toBe(401);
    expect((wrong.body as { error: { code: string } }).error.code).toBe('invalid_token');
    expect((await getOne(id, { authorization: `Basic ${API_TOKEN}` })).status).toBe(401);
  });
});

describe('GET /events', () => {
  const byCreateTimeDesc = (app: string) =>
    recorded
      .filter((r) => r.body.app_name === app)
      .sort((a, b) => Number(b.body.create_time) - Number(a.body.create_time))
      .map((r) => r.id);

  it('lists an app newest first, across sources', async () => {
    const response = await get({ app_name: 'user-svc' });
    expect(response.status).toBe(200);
    expect(ids(response)).toEqual(byCreateTimeDesc('user-svc'));
    expect((response.body as { next_cursor: unknown }).next_cursor).toBeNull();
  });

  it('pages with an opaque cursor until the end', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const response = await get({ app_name: 'user-svc', limit: '2', ...(cursor ? { cursor } : {}) });
      expect(response.status).toBe(200);
      const pageIds = ids(response);
      expect(pageIds.length).toBeLessThanOrEqual(2);
      seen.push(...pageIds);
      const next = (response.body as { next_cursor: string | null }).next_cursor;
      if (next === null) break;
      cursor = next;
    }
    expect(seen).toEqual(byCreateTimeDesc('user-svc'));
  });

  it('filters by env, source, operation and a time range', async () => {
    expect(ids(await get({ app_name: 'user-svc', env: 'dev' }))).toHaveLength(2);
    expect(ids(await get({ app_name: 'user-svc', source: 'devops' }))).toEqual([recorded[6]?.id]);
    expect(ids(await get({ source: 'devops' }))).toEqual([recorded[6]?.id, recorded[5]?.id]);
    expect(ids(await get({ operation: 'confgo_file_update' }))).toEqual([recorded[3]?.id, recorded[1]?.id]);
    expect(ids(await get({ app_name: 'user-svc', since: String(T + 1), until: String(T + 3) }))).toEqual([
      recorded[3]?.id,
      recorded[2]?.id,
      recorded[1]?.id,
    ]);
    expect(ids(await get({ source: 'confgo', operation: 'confgo_file_publish', env: 'prod' }))).toEqual([
      recorded[2]?.id,
      recorded[0]?.id,
    ]);
  });

  it('fills a page even when a filter skips items', async () => {
    const response = await get({ app_name: 'user-svc', operation: 'confgo_file_publish', limit: '2' });
    expect(ids(response)).toEqual([recorded[4]?.id, recorded[2]?.id]);
    const next = (response.body as { next_cursor: string | null }).next_cursor;
    expect(next).not.toBeNull();
    const rest = await get({
      app_name: 'user-svc',
      operation: 'confgo_file_publish',
      limit: '2',
      cursor: String(next),
    });
    expect(ids(rest)).toEqual([recorded[0]?.id]);
  });

  it.each([
    [{}, 'give app_name, source or operation to list events'],
    [
      { operation: 'app_node_restart' },
      'operation app_node_restart is recorded by several sources: add source= or app_name=',
    ],
    [{ source: 'jenkins' }, 'source must be one of confgo, git, devops, grafana'],
    [{ operation: 'nope' }, 'operation must be an operation of the catalog'],
    [{ app_name: 'a', limit: '0' }, 'limit must be a whole number from 1 to 100'],
    [{ app_name: 'a', limit: '101' }, 'limit must be a whole number from 1 to 100'],
    [{ app_name: 'a', since: 'yesterday' }, 'since must be unix seconds'],
    [{ app_name: 'a', since: '5', until: '4' }, 'since must not be after until'],
    [{ app_name: 'a', zone: 'x' }, 'a query parameter is not one of the known: '],
  ])('answers 400 for %j', async (query, message) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    expect((response.body as { error: { message: string } }).error.message).toContain(message);
  });

  it('answers 400 for a cursor it did not issue or from another listing', async () => {
    expect((await get({ app_name: 'user-svc', cursor: 'garbage' })).status).toBe(400);
    const first = await get({ source: 'confgo', limit: '1' });
    const cursor = String((first.body as { next_cursor: string }).next_cursor);
    const response = await get({ app_name: 'user-svc', cursor });
    expect(response.status).toBe(400);
    expect((response.body as { error: { code: string } }).error.code).toBe('invalid_cursor');
  });
});
