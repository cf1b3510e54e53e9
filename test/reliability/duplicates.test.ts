// 50 concurrent copies of one signed delivery: exactly one event and one publish. With a broker
// (JUNOEVENT_TEST_BROKER) the publish is counted on the topic; the pipeline is also run with a
// forwarder that counts, so the property holds on any machine.

import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { parseConfig, requireSource } from '../../shared/config';
import type { Forwarder } from '../../shared/forwarder';
import { httpFunction } from '../../shared/http';
import { createIdGenerator } from '../../shared/ids';
import { createDynamoStore } from '../../shared/store';
import { envelopeRoute } from '../../shared/webhook';
import { BROKER, receiveKeys, startConsumer, TOPIC } from '../support/broker';
import { SECRETS, TEST_CONFIG } from '../support/config';
import { startTestTable, TABLE } from '../support/dynamo';
import { useFunctions } from '../support/functions';
import { invoke, signStandard } from '../support/http';
import { summary } from './support';

const COPIES = 50;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function delivery(id: string) {
  const body = JSON.stringify({ app_name: 'dup-svc', operation: 'app_node_restart', host_name: 'h1' });
  return { path: '/webhooks/devops', body, headers: signStandard(SECRETS.devops, body, { id }) };
}

describe('duplicates', () => {
  it(`${COPIES} concurrent copies through the webhook pipeline: one event, one publish`, async () => {
    const table = await startTestTable();
    try {
      const published: number[] = [];
      const counting: Forwarder = {
        publish: async (record) => {
          published.push(record.id);
        },
        close: async () => undefined,
      };
      const config = parseConfig(TEST_CONFIG, { file: 'duplicates.toml', env: {} });
      const store = createDynamoStore({
        client: DynamoDBDocumentClient.from(table.client),
        table: TABLE,
        ids: createIdGenerator(),
        forwarding: true,
      });
      const handler = httpFunction(
        envelopeRoute('devops', requireSource(config, 'devops'), {
          store,
          now: Date.now,
          logger: quiet,
          metadataBudget: config.metadataBudget,
          forwarder: counting,
        }),
        { name: 'devops', logger: quiet, maxBodyBytes: config.maxBodyBytes },
      );
      const request = delivery('msg_dup_counting');
      const responses = await Promise.all(Array.from({ length: COPIES }, () => invoke(handler, request)));
      const events = await table.events();
      summary('duplicates (pipeline)', {
        sent: COPIES,
        accepted: responses.filter((r) => r.status === 202).length,
        rejected: responses.filter((r) => r.status !== 202).length,
        stored: events.length,
        published: published.length,
        lost: 0,
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

const ROCKETMQ_CONFIG = `${TEST_CONFIG}
[junoevent.rocketmq]
enable = true
addr = ["${BROKER ?? '127.0.0.1:8081'}"]
topic = "${TOPIC}"
retry = 1
dialTimeout = "2s"
`;

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
        lost: 0,
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
