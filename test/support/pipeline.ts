// The webhook pipeline assembled by hand, as shared/runtime.ts assembles it, but with a forwarder
// the test chooses (one that counts, or the real one) and a store on any endpoint.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig, requireSource } from '../../shared/config/config';
import { createIdGenerator } from '../../shared/event/ids';
import { httpFunction } from '../../shared/http/function';
import { createForwarder, type Forwarder } from '../../shared/publishing/publisher';
import { type RedriveReport, redrive } from '../../shared/publishing/redrive';
import { envelopeRoute } from '../../shared/sources/pipeline';
import { createDynamoClient, createDynamoStore, type EventStore } from '../../shared/store/store';
import { TEST_CONFIG } from './config';
import { TABLE } from './dynamo';
import type { Handler } from './http';

export const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A store with forwarding on, on the table behind `endpoint`, built as the functions build it. */
export function forwardingStore(endpoint: string): EventStore {
  return createDynamoStore({
    client: createDynamoClient({ DYNAMODB_ENDPOINT: endpoint }),
    table: TABLE,
    ids: createIdGenerator(),
    forwarding: true,
  });
}

/** A forwarder that publishes nothing and remembers the ids it was given. */
export function countingForwarder(): Forwarder & { published: number[] } {
  const published: number[] = [];
  return {
    published,
    publish: async (record) => {
      published.push(record.id);
    },
    close: async () => undefined,
  };
}

/** The confgo or devops function's handler, over `store`, publishing through `forwarder`. */
export function envelopeHandler(source: 'confgo' | 'devops', store: EventStore, forwarder: Forwarder): Handler {
  const config = parseConfig(TEST_CONFIG, { file: 'pipeline.toml', env: {} });
  return httpFunction(
    envelopeRoute(source, requireSource(config, source), {
      store,
      now: Date.now,
      logger: quiet,
      metadataBudget: config.metadataBudget,
      forwarder,
    }),
    { name: source, logger: quiet, maxBodyBytes: config.maxBodyBytes },
  );
}

/** One redrive run with the real forwarder of `configText`, taking every pending event (no grace). */
export async function redriveNow(configText: string, store: EventStore): Promise<RedriveReport> {
  const config = parseConfig(configText, { file: 'redrive.toml', env: {} });
  const forwarder = createForwarder(config.rocketmq, quiet);
  if (forwarder === undefined) throw new Error('forwarding is off in this config');
  try {
    return await redrive({ store, forwarder, logger: quiet, now: Date.now, timeLeft: () => true, graceMs: 0 });
  } finally {
    await forwarder.close();
  }
}

/** The ids of every event item in the table behind `endpoint`. */
export async function storedEventIds(endpoint: string): Promise<number[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1' }));
  const ids: number[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (String(item.pk).startsWith('E#')) ids.push(Number(item.id));
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return ids;
}
