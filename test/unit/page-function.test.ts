// The page function's own handler, as functions/page.ts builds it for its container: it serves the
// page and its contract with only the config, the log and the metrics. Loading the DynamoDB client,
// or anything that reaches the table, fails this file.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_CONFIG, writeConfig } from '../support/config';
import { httpApiEvent, lambdaContext } from '../support/http';

vi.mock('@aws-sdk/client-dynamodb', () => {
  throw new Error('the page function loaded the DynamoDB client');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the page function', () => {
  it('serves the page and the contract with no DynamoDB client', async () => {
    vi.stubEnv('JUNOEVENT_CONFIG', writeConfig(TEST_CONFIG));
    const { handler } = await import('../../functions/page');
    for (const path of ['/', '/openapi.json']) {
      const answer = await handler(httpApiEvent({ method: 'GET', path }), lambdaContext('page'));
      expect(answer.statusCode, path).toBe(200);
      expect(String(answer.body).length, path).toBeGreaterThan(100);
    }
  });
});
