// The webhook's metrics over the real store (the DynamoDB emulator): a new delivery, the same delivery
// again, a refused one, a publish the broker fails; each document checked against the EMF schema.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Publisher } from '../../shared/publishing/types';
import { functionHandler } from '../../shared/runtime';
import { SECRETS } from '../support/config';
import { startTestTable, type TestTable } from '../support/dynamo';
import { capturedMetrics, emfErrors, total } from '../support/emf';
import { httpApiEvent, lambdaContext, signStandard } from '../support/http';
import { countingPublisher, testRuntime } from '../support/pipeline';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.close();
});

function confgo(publisher: Publisher) {
  const captured = capturedMetrics();
  const handler = functionHandler('confgo', { ...testRuntime(table.endpoint, publisher), metrics: captured.sink });
  const send = async (body: string, headers: Record<string, string>) => {
    const response = await handler(httpApiEvent({ path: '/webhooks/confgo', body, headers }), lambdaContext('confgo'));
    for (const document of captured.documents()) expect(emfErrors(document)).toEqual([]);
    return response.statusCode;
  };
  return { send, data: captured.data };
}

describe('webhook metrics over the store', () => {
  it('count a new event, its redelivery and a refusal, each request once', async () => {
    const { send, data } = confgo(countingPublisher());
    const body = JSON.stringify({ app_name: 'metrics-svc', operation: 'confgo_file_publish' });
    const headers = signStandard(SECRETS.confgo, body, { id: 'msg_metrics_1' });
    expect(await send(body, headers)).toBe(202);
    expect(await send(body, headers)).toBe(202);
    expect(await send(body, signStandard('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSa', body))).toBe(401);

    const written = data();
    expect(total(written, 'Events', { source: 'confgo', outcome: 'stored' })).toBe(1);
    expect(total(written, 'Events', { source: 'confgo', outcome: 'duplicate' })).toBe(1);
    expect(total(written, 'Requests', { function: 'confgo', outcome: 'accepted' })).toBe(1);
    expect(total(written, 'Requests', { function: 'confgo', outcome: 'duplicate' })).toBe(1);
    expect(total(written, 'Requests', { function: 'confgo', outcome: 'unauthorized' })).toBe(1);
    expect(total(written, 'RequestErrors', { function: 'confgo', error_code: 'invalid_signature' })).toBe(1);
    // The redelivery is not published again: one publish, for the new event.
    expect(total(written, 'Publishes', { function: 'confgo', outcome: 'succeeded' })).toBe(1);
    expect(total(written, 'Publishes', { function: 'confgo', outcome: 'failed' })).toBe(0);
  });

  it('count a publish the broker refused as failed; the event is still accepted', async () => {
    const down: Publisher = {
      publish: () => Promise.reject(new Error('broker down')),
      close: async () => undefined,
    };
    const { send, data } = confgo(down);
    const body = JSON.stringify({ app_name: 'metrics-svc', operation: 'confgo_file_update' });
    expect(await send(body, signStandard(SECRETS.confgo, body))).toBe(202);
    const written = data();
    expect(total(written, 'Publishes', { function: 'confgo', outcome: 'failed' })).toBe(1);
    expect(total(written, 'Events', { source: 'confgo', outcome: 'stored' })).toBe(1);
    expect(written.filter((d) => d.name === 'PublishLatency').flatMap((d) => d.values)).toHaveLength(1);
  });
});
