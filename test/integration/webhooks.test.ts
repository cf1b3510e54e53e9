// The confgo and devops functions, driven with real API Gateway v2 events against the
// embedded DynamoDB.

import { describe, expect, it } from 'vitest';
import { SECRETS } from '../support/config';
import { useFunctions } from '../support/functions';
import { type Handler, invoke, signStandard } from '../support/http';

const { table, handlers } = useFunctions();
const { confgo, devops } = handlers;

const PUBLISH = {
  app_name: 'user-svc',
  aid: 42,
  zone_code: 'cn-sh-01',
  env: 'prod',
  host_name: ['host-a', 'host-b'],
  user_name: 'alice',
  uid: 7,
  operation: 'confgo_file_publish',
  create_time: 1_795_000_000,
  metadata: { configuration_id: 10, name: 'config-prod' },
};

function post(handler: Handler, path: string, body: string, headers: Record<string, string>) {
  return invoke(handler, { method: 'POST', path, body, headers });
}

function postSigned(
  handler: Handler,
  source: 'confgo' | 'devops',
  payload: unknown,
  options: { id?: string; at?: Date } = {},
) {
  const body = JSON.stringify(payload);
  return post(handler, `/webhooks/${source}`, body, signStandard(SECRETS[source], body, options));
}

describe('confgo webhook', () => {
  it('stores a signed envelope as a 15-field record and answers 202 with its id', async () => {
    const response = await postSigned(confgo, 'confgo', PUBLISH);
    expect(response.status).toBe(202);
    expect(response.headers['content-type']).toBe('application/json');
    const body = response.body as { events: { id: number; operation: string; duplicate: boolean }[] };
    expect(body.events).toHaveLength(1);
    const [accepted] = body.events;
    expect(accepted).toEqual({ id: expect.any(Number), operation: 'confgo_file_publish', duplicate: false });

    const [item] = await table.events();
    expect(item).toMatchObject({
      pk: `E#${accepted?.id}`,
      id: accepted?.id,
      app_name: 'user-svc',
      aid: 42,
      zone_code: 'cn-sh-01',
      env: 'prod',
      host_name: 'host-a,host-b',
      operator_type: 'user',
      user_name: 'alice',
      uid: 7,
      operation: 'confgo_file_publish',
      create_time: 1_795_000_000,
      source: 'confgo',
      metadata: '{"configuration_id":10,"name":"config-prod"}',
      operation_name: '配置发布',
      source_name: '配置中心',
      // The listing keys, written in shards chosen by the id.
      app_key: `user-svc#${String((accepted?.id ?? 0) % 8).padStart(2, '0')}`,
      source_key: `confgo#${String((accepted?.id ?? 0) % 32).padStart(2, '0')}`,
    });
    expect(typeof item?.ts).toBe('string');
  });

  it('records a redelivery (same webhook-id) once and answers with the original id', async () => {
    const first = await postSigned(confgo, 'confgo', PUBLISH, { id: 'msg_redelivered' });
    const again = await postSigned(confgo, 'confgo', PUBLISH, { id: 'msg_redelivered' });
    expect(again.status).toBe(202);
    const firstId = (first.body as { events: { id: number }[] }).events[0]?.id;
    expect(again.body).toEqual({ events: [{ id: firstId, operation: 'confgo_file_publish', duplicate: true }] });
    expect(await table.events()).toHaveLength(1);
  });

  it('records 20 concurrent copies of one delivery exactly once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postSigned(confgo, 'confgo', PUBLISH, { id: 'msg_concurrent' })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));
    const ids = new Set(responses.map((r) => (r.body as { events: { id: number }[] }).events[0]?.id));
    expect(ids.size).toBe(1);
    expect(
      responses.filter((r) => !(r.body as { events: { duplicate: boolean }[] }).events[0]?.duplicate),
    ).toHaveLength(1);
    expect(await table.events()).toHaveLength(1);
  });

  it('records two deliveries with different webhook-ids as two events with increasing ids', async () => {
    const a = await postSigned(confgo, 'confgo', PUBLISH);
    const b = await postSigned(confgo, 'confgo', PUBLISH);
    const idA = (a.body as { events: { id: number }[] }).events[0]?.id ?? 0;
    const idB = (b.body as { events: { id: number }[] }).events[0]?.id ?? 0;
    expect(idB).toBeGreaterThan(idA);
    expect(await table.events()).toHaveLength(2);
  });

  it('accepts a base64-encoded body as API Gateway may send it', async () => {
    const body = JSON.stringify(PUBLISH);
    const response = await invoke(confgo, {
      path: '/webhooks/confgo',
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
      headers: signStandard(SECRETS.confgo, body),
    });
    expect(response.status).toBe(202);
    expect(await table.events()).toHaveLength(1);
  });
});

describe('devops webhook', () => {
  it('stores a deploy event with the devops catalog names', async () => {
    const response = await postSigned(devops, 'devops', {
      app_name: 'order-svc',
      operation: 'devops_deploy',
      host_name: 'host-c',
      metadata: { commit_id: 'abc123', host_name: 'host-c', ip: '10.0.0.3' },
    });
    expect(response.status).toBe(202);
    const [item] = await table.events();
    expect(item).toMatchObject({
      source: 'devops',
      operation: 'devops_deploy',
      operation_name: '应用部署',
      source_name: '发布事件',
    });
  });

  it('refuses a confgo operation', async () => {
    const response = await postSigned(devops, 'devops', { app_name: 'a', operation: 'confgo_file_create' });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: {
        code: 'invalid_event',
        message: expect.stringMatching(/^operation: must be one of app_node_restart, devops_deploy/),
      },
    });
  });
});

describe('rejections write nothing', () => {
  const body = JSON.stringify(PUBLISH);

  it.each([
    ['no signature headers', { 'content-type': 'application/json' }, 'missing_signature'],
    [
      'a signature made with another secret',
      signStandard('whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', body),
      'invalid_signature',
    ],
    [
      'a signature ten minutes old',
      signStandard(SECRETS.confgo, body, { at: new Date(Date.now() - 600_000) }),
      'stale_signature',
    ],
    ["another source's secret", signStandard(SECRETS.devops, body), 'invalid_signature'],
  ])('401 for %s', async (_name, headers, code) => {
    const response = await post(confgo, '/webhooks/confgo', body, headers);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(await table.items()).toEqual([]);
  });

  it('401 when the signed body was altered', async () => {
    const headers = signStandard(SECRETS.confgo, body);
    const response = await post(confgo, '/webhooks/confgo', body.replace('alice', 'mallory'), headers);
    expect(response.status).toBe(401);
    expect(await table.items()).toEqual([]);
  });

  it('400 for a signed body that is not JSON', async () => {
    const text = '{"app_name": "a",';
    const response = await post(confgo, '/webhooks/confgo', text, signStandard(SECRETS.confgo, text));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'malformed_json', message: expect.stringMatching(/^the body is not valid JSON/) },
    });
    expect(await table.items()).toEqual([]);
  });

  it('400 for an empty body and for bytes that are not UTF-8', async () => {
    const empty = await post(confgo, '/webhooks/confgo', '', signStandard(SECRETS.confgo, ''));
    expect(empty.status).toBe(400);
    const bad = await invoke(confgo, {
      path: '/webhooks/confgo',
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'),
      isBase64Encoded: true,
      headers: signStandard(SECRETS.confgo, 'x'),
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe('invalid_utf8');
    expect(await table.items()).toEqual([]);
  });

  it('413 for a body over maxBodyBytes, before anything else is read', async () => {
    const big = JSON.stringify({ ...PUBLISH, metadata: { blob: 'x'.repeat(300_000) } });
    const response = await post(confgo, '/webhooks/confgo', big, signStandard(SECRETS.confgo, big));
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      error: { code: 'payload_too_large', message: `the body is ${Buffer.byteLength(big)} bytes; the limit is 262144` },
    });
    expect(await table.items()).toEqual([]);
  });

  it('415 for a signed body that is not declared JSON', async () => {
    const headers = { ...signStandard(SECRETS.confgo, body), 'content-type': 'text/plain' };
    const response = await post(confgo, '/webhooks/confgo', body, headers);
    expect(response.status).toBe(415);
    expect((response.body as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    expect(await table.items()).toEqual([]);
  });

  it('422 naming the field for valid JSON that is not a valid event', async () => {
    const response = await postSigned(confgo, 'confgo', { ...PUBLISH, uid: 'seven' });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: {
        code: 'invalid_event',
        message: 'uid: must be a whole number from 0 to 9007199254740991 (got a string of 5 characters)',
      },
    });
    expect(await table.items()).toEqual([]);
  });

  it('422 for JSON nested deeper than 64 levels, however deep (no stack overflow)', async () => {
    for (const depth of [65, 3000, 100_000]) {
      const text = `{"app_name":"a","operation":"confgo_file_create","metadata":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const response = await post(confgo, '/webhooks/confgo', text, signStandard(SECRETS.confgo, text));
      expect(response.status).toBe(422);
    }
    expect(await table.items()).toEqual([]);
  });

  it('422 for a JSON array or a __proto__ key', async () => {
    expect((await postSigned(confgo, 'confgo', [PUBLISH])).status).toBe(422);
    const text = `{"__proto__":{"x":1},${JSON.stringify(PUBLISH).slice(1)}`;
    const response = await post(confgo, '/webhooks/confgo', text, signStandard(SECRETS.confgo, text));
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toMatch(/^__proto__:/);
    expect(await table.items()).toEqual([]);
  });
});
