// The functions' wiring for tests, through the composition root (shared/runtime.ts): the same
// assemble() the functions use, with a publisher the test chooses and a store on any endpoint.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../shared/config/config';
import { NO_METRICS } from '../../shared/metrics/catalogue';
import type { RedriveReport } from '../../shared/publishing/redrive';
import type { Publisher } from '../../shared/publishing/types';
import { assemble, functionHandler, type Runtime, redriveWith } from '../../shared/runtime';
import { createDynamoClient } from '../../shared/store/client';
import type { EventStore } from '../../shared/store/types';
import { TEST_CONFIG } from './config';
import { PENDING_TABLE, TABLE, withTextMetadata } from './dynamo';
import type { Handler } from './http';

export const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const testConfig = () => parseConfig(TEST_CONFIG, { file: 'pipeline.toml', env: {} });

/** A runtime on the table behind `endpoint`, assembled as the functions assemble theirs. */
export function testRuntime(endpoint: string, publisher: Publisher | undefined, configText = TEST_CONFIG): Runtime {
  const config = parseConfig(configText, { file: 'pipeline.toml', env: {} });
  return assemble(config, { client: createDynamoClient({ DYNAMODB_ENDPOINT: endpoint }), publisher, logger: quiet });
}

/** A store with publishing on, on the table behind `endpoint`, built as the functions build it. */
export function publishingStore(endpoint: string): EventStore {
  return testRuntime(endpoint, countingPublisher()).store;
}

/** A publisher that publishes nothing and remembers the ids it was given. */
export function countingPublisher(): Publisher & { published: number[] } {
  const published: number[] = [];
  return {
    published,
    publish: async (record) => {
      published.push(record.id);
    },
    close: async () => undefined,
  };
}

/** The confgo or devops function's handler, over `store`, publishing through `publisher`. */
export function envelopeHandler(source: 'confgo' | 'devops', store: EventStore, publisher: Publisher): Handler {
  const config = testConfig();
  return functionHandler(source, {
    config,
    store,
    logger: quiet,
    now: Date.now,
    publisher,
    secrets: undefined,
    metrics: NO_METRICS,
  });
}

/** One redrive run with the real publisher of `configText`, taking every pending event (no grace). */
export async function redriveNow(configText: string, store: EventStore): Promise<RedriveReport> {
  const config = parseConfig(configText, { file: 'redrive.toml', env: {} });
  const runtime = assemble(config, { logger: quiet });
  if (runtime.publisher === undefined) throw new Error('publishing is off in this config');
  try {
    const report = await redriveWith({ ...runtime, store }, { timeLeft: () => true, graceMs: 0 });
    if (report === undefined) throw new Error('publishing is off in this config');
    return report;
  } finally {
    await runtime.publisher.close();
  }
}

/** Every event item in the table behind `endpoint`, its metadata as text. */
export async function storedEvents(endpoint: string): Promise<Record<string, unknown>[]> {
  return (await scanAll(endpoint, TABLE))
    .filter((item) => String(item.pk).startsWith('E#') && item.closed === undefined)
    .map(withTextMetadata);
}

/** Every pending mark in the pending table behind `endpoint`. */
export function pendingMarks(endpoint: string): Promise<Record<string, unknown>[]> {
  return scanAll(endpoint, PENDING_TABLE);
}

async function scanAll(endpoint: string, table: string): Promise<Record<string, unknown>[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1' }));
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return items;
}

/** The ids of every event item in the table behind `endpoint`. */
export async function storedEventIds(endpoint: string): Promise<number[]> {
  return (await storedEvents(endpoint)).map((item) => Number(item.id));
}
