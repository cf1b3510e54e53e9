// When DynamoDB cannot be reached, webhooks answer 503 with Retry-After so the sender retries.

import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { SECRETS, useFunctionEnv } from '../support/config';
import { type Handler, invoke, signStandard } from '../support/http';

let confgo: Handler;

beforeAll(async () => {
  useFunctionEnv(`http://127.0.0.1:${await freePort()}`);
  confgo = (await import('../../functions/confgo')).handler;
});

describe('DynamoDB unavailable', () => {
  it('answers 503 with Retry-After and a JSON error, never a 500', async () => {
    const body = JSON.stringify({ app_name: 'a', operation: 'confgo_file_create' });
    const response = await invoke(confgo, {
      path: '/webhooks/confgo',
      body,
      headers: signStandard(SECRETS.confgo, body),
    });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toEqual({
      error: { code: 'service_unavailable', message: 'the event store is unavailable; retry later' },
    });
  });
});
