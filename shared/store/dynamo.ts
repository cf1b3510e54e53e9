// The event store's table on DynamoDB: sends the commands of commands.ts and reads their answers.
// It decides nothing: the recording protocol (recording.ts) decides what to send next.

import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { readByKeys, readItem } from './batch-get';
import { allFromAttributes, conditionally, fromAttributes, orUnavailable } from './client';
import { claimDeliveryInput, listingPageInput, putEventInput, putMarkInput, repointDeliveryInput } from './commands';
import { eventOf, parseDeliveryItem, parseStoredEvent } from './items';
import { pendingOperations } from './pending';
import { decodeCursor, invalidCursor, mergeShards, planQuery, type QueryPlan, type ShardPage } from './query';
import { ATTR, eventKey, pendingTableName } from './schema';
import type { ListQuery, ListResult, TableOperations } from './types';

export interface DynamoTableOptions {
  client: DynamoDBClient;
  /** The events table; its pending marks are in `<table>-pending` (schema.ts). */
  table: string;
  /** Unix milliseconds. */
  now?: () => number;
  /** How long an event is kept, in seconds, from when it is written (its expires_at); 0 or absent: forever. */
  retentionSeconds?: number;
}

/** Pages of one shard read for one listing page (more when filters skip many). */
const MAX_PAGES_PER_SHARD = 3;

export function createDynamoTable(options: DynamoTableOptions): TableOperations {
  const { client, table } = options;
  const now = options.now ?? Date.now;
  const retention = options.retentionSeconds ?? 0;
  const expiresAt = () => (retention > 0 ? Math.floor(now() / 1000) + retention : undefined);

  const getItem = (pk: string) => readItem(client, table, pk);

  const pendingTable = pendingTableName(table);
  const ops: Omit<TableOperations, keyof ReturnType<typeof pendingOperations>> = {
    async claimDelivery(claim, nowSeconds) {
      const outcome = await conditionally(() =>
        client.send(new PutItemCommand(claimDeliveryInput(table, claim, nowSeconds))),
      );
      return outcome.written ? { claimed: true } : { claimed: false, holder: parseDeliveryItem(outcome.existing) };
    },
    readDelivery: async (pk) => parseDeliveryItem(await getItem(pk)),
    async repointDelivery(pk, from, to) {
      const outcome = await conditionally(() =>
        client.send(new UpdateItemCommand(repointDeliveryInput(table, pk, from, to))),
      );
      return outcome.written;
    },
    async putMark(id) {
      await orUnavailable(() => client.send(new PutItemCommand(putMarkInput(pendingTable, id, expiresAt()))));
    },
    async putEvent(record, delivery) {
      const outcome = await conditionally(() =>
        client.send(new PutItemCommand(putEventInput(table, record, delivery, expiresAt()))),
      );
      if (outcome.written) return { written: true };
      return { written: false, existing: outcome.existing && parseStoredEvent(outcome.existing) };
    },
    async readEvent(id) {
      const item = await getItem(eventKey(id));
      return item && parseStoredEvent(item);
    },
    get: async (id) => eventOf(await getItem(eventKey(id))),
    list: (query) => list({ client, table }, query),
  };

  return { ...ops, ...pendingOperations({ client, table, pendingTable, now }) };
}

interface Table {
  client: DynamoDBClient;
  table: string;
}

/** A listing page: every shard of its key newest first, merged; then the page's events read by key. */
async function list({ client, table }: Table, query: ListQuery): Promise<ListResult> {
  const plan = planQuery(query);
  const upTo = query.cursor === undefined ? plan.to : decodeCursor(query.cursor, plan);
  const fromCursor = query.cursor !== undefined;
  const pages = await Promise.all(
    plan.shardKeys.map((key) => readShard({ client, table }, plan, key, upTo, query.limit, fromCursor)),
  );
  const { entries, nextCursor } = mergeShards(plan, pages, query.limit);
  const pks = entries.map((entry) => String(entry[ATTR.pk]));
  const items = await readByKeys({ client, table }, pks, { consistent: false });
  const events = pks.flatMap((pk) => {
    const event = eventOf(items.get(pk));
    return event === undefined ? [] : [event];
  });
  return { events, nextCursor };
}

/** One shard's newest entries at or below `upTo`, read until `limit` match or a page bound. */
async function readShard(
  { client, table }: Table,
  plan: QueryPlan,
  key: string,
  upTo: string,
  limit: number,
  fromCursor: boolean,
): Promise<ShardPage> {
  const entries: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < MAX_PAGES_PER_SHARD; page += 1) {
    const result = await queryPage(client, listingPageInput(table, plan, key, { upTo, limit }, startKey), fromCursor);
    entries.push(...allFromAttributes(result.Items));
    startKey = result.LastEvaluatedKey;
    if (startKey === undefined) return { entries, stoppedAt: undefined };
    if (entries.length >= limit) break;
  }
  const stopped = fromAttributes(startKey)?.[ATTR.ts];
  return { entries, stoppedAt: typeof stopped === 'string' ? stopped : undefined };
}

async function queryPage(client: DynamoDBClient, input: ReturnType<typeof listingPageInput>, fromCursor: boolean) {
  try {
    return await orUnavailable(() => client.send(new QueryCommand(input)));
  } catch (error) {
    // A key condition DynamoDB refuses can only have come from the client's cursor.
    if (fromCursor && error instanceof Error && error.name === 'ValidationException') throw invalidCursor();
    throw error;
  }
}
