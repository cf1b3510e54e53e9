// 50 concurrent copies of one signed delivery: exactly one event and one publish. With a broker
// (JUNOEVENT_TEST_BROKER) the publish is counted on the topic; the pipeline is also run with a
// publisher that counts, so the property holds on any machine.

import { describe, expect, it } from 'vitest';
import { BROKER, ROCKETMQ_CONFIG, receiveKeys, startConsumer } from '../support/broker';
import { SECRETS } from '../support/config';
import { startTestTable } from '../support/dynamo';
import { useFunctions } from '../support/functions';
import { invoke, signStandard } from '../support/http';
import { countingPublisher, envelopeHandler, publishingStore } from '../support/pipeline';
import { summary } from './support';

const COPIES = 50;

function delivery(id: string) {
  const body = JSON.stringify({ app_name: 'dup-svc', operation: 'app_node_restart', host_name: 'h1' });
  return { path: '/webhooks/devops', body, headers: signStandard(SECRETS.devops, body, { id }) };
}

describe('duplicates', () => {
  it(`${COPIES} concurrent copies through the webhook pipeline: one event, one publish`, async () => {
    const table = await startTestTable();
    try {
      const counting = countingPublisher();
      const handler = envelopeHandler('devops', publishingStore(table.endpoint), counting);
      const { published } = counting;
      const request = delivery('msg_dup_counting');
      const responses = await Promise.all(Array.from({ length: COPIES }, () => invoke(handler, request)));
      const events = await table.events();
      const answeredIds = new Set(responses.map((r) => (r.body as { events?: { id: number }[] }).events?.[0]?.id));
      summary('duplicates (pipeline)', {
        sent: COPIES,
        accepted: responses.filter((r) => r.status === 202).length,
        rejected: responses.filter((r) => r.status !== 202).length,
        stored: events.length,
        published: published.length,
        // The one delivery was accepted; lost when no stored event has the id its answers gave.
        lost: [...answeredIds].filter((id) => !events.some((event) => event.id === id)).length,
        duplicated: Math.max(events.length - 1, 0) + Math.max(published.length - 1, 0),
      });
      expect(responses.every((r) => r.status === 202)).toBe(true);
      expect(events).toHaveLength(1);
      expect(published).toEqual([events[0]?.id]);
    } finally {
      await table.close();
    }
  });
});

describe.skipIf(!BROKER)('duplicates (real broker)', () => {
  const { table, handlers } = useFunctions({ config: ROCKETMQ_CONFIG, clearEach: false });

  it(`${COPIES} concurrent copies of one signed delivery: one event, one message on the topic`, async () => {
    const consumer = await startConsumer(`junoevent_dup_${Date.now()}`);
    try {
      const request = delivery(`msg_dup_${Date.now()}`);
      const responses = await Promise.all(Array.from({ length: COPIES }, () => invoke(handlers.devops, request)));
      const ids = new Set(responses.map((r) => (r.body as { events: { id: number }[] }).events[0]?.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      const received = await receiveKeys(consumer, [String(id)], 10_000);
      // Anything else for this key would arrive within a long poll; wait one more round.
      const late = await receiveKeys(consumer, ['never-sent'], 6_000);
      const messages = [...(received.get(String(id)) ?? []), ...(late.get(String(id)) ?? [])];
      const events = (await table.events()).filter((item) => item.id === id);
      summary('duplicates (broker)', {
        sent: COPIES,
        accepted: responses.filter((r) => r.status === 202).length,
        rejected: responses.filter((r) => r.status !== 202).length,
        stored: events.length,
        published: messages.length,
        lost: events.length === 0 || messages.length === 0 ? 1 : 0,
        duplicated: Math.max(events.length - 1, 0) + Math.max(messages.length - 1, 0),
      });
      expect(responses.every((r) => r.status === 202)).toBe(true);
      expect(events).toHaveLength(1);
      expect(messages).toHaveLength(1);
    } finally {
      await consumer.shutdown().catch(() => undefined);
    }
  });
});
