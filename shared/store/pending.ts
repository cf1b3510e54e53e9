// The publishing state of stored events on DynamoDB: the pending table's marks, failed attempts,
// closing the id of a mark whose event was never written; the redrive reads every shard at once.
// I/O only: the commands are built in commands.ts, the item rules live in items.ts.

import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isPlainObject } from '../json';
import { readByKeys, readItem } from './batch-get';
import { allFromAttributes, conditionally, orUnavailable } from './client';
import { closeIdInput, deleteMarkInput, markPublishFailedInput, pendingShardInput } from './commands';
import { isClosedId, isDue, parseEventItem, pendingMarkKey, publishAttempts } from './items';
import { ATTR, allShardKeys, eventKey, SHARDS } from './schema';
import type { PendingEvent, PublishingState } from './types';

interface PendingContext {
  client: DynamoDBClient;
  table: string;
  pendingTable: string;
  /** Unix milliseconds. */
  now: () => number;
}

const SHARD_KEYS = allShardKeys('P', SHARDS.pending);

/** Where each shard's reading stands: the last id read, or null when the shard is done. */
type Positions = Record<string, number | null>;

function parsePositions(token: string | undefined): Positions {
  if (token === undefined) return {};
  const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  if (!isPlainObject(parsed)) throw new Error('a pending-events token is malformed');
  return parsed as Positions;
}

export function pendingOperations(context: PendingContext): PublishingState {
  const { client, table, pendingTable, now } = context;

  async function markPublished(id: number): Promise<void> {
    await orUnavailable(() => client.send(new DeleteItemCommand(deleteMarkInput(pendingTable, id))));
  }

  async function markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void> {
    // Refused when the event was published meanwhile (by the webhook's own late publish): nothing to record.
    await conditionally(() =>
      client.send(new UpdateItemCommand(markPublishFailedInput(pendingTable, id, attempts, retryAt))),
    );
  }

  async function closeId(id: number): Promise<boolean> {
    const outcome = await conditionally(() =>
      client.send(new PutItemCommand(closeIdInput(table, id, Math.floor(now() / 1000)))),
    );
    if (outcome.written) return true;
    // Refused: an event holds the id, or it was closed before (read it when the refusal does not say).
    const holder = outcome.existing ?? (await readItem(client, table, eventKey(id)));
    return holder !== undefined && isClosedId(holder);
  }

  const isMarked = async (id: number) => (await readItem(client, pendingTable, pendingMarkKey(id))) !== undefined;

  const pendingEvents: PublishingState['pendingEvents'] = (request) => readPending(context, request);
  const backlog = (cap: number) => countBacklog(context, cap);
  return { markPublished, markPublishFailed, closeId, isMarked, pendingEvents, backlog };
}

function query(client: DynamoDBClient, input: ReturnType<typeof pendingShardInput>) {
  return orUnavailable(() => client.send(new QueryCommand(input)));
}

/** One page of due marks from every shard at once, their events read by key (PublishingState.pendingEvents). */
async function readPending(
  context: PendingContext,
  request: { maxId: number; limit: number; after?: string | undefined },
) {
  const { client, table, pendingTable, now } = context;
  const positions = parsePositions(request.after);
  const perShard = Math.max(1, Math.ceil(request.limit / SHARD_KEYS.length));
  const open = SHARD_KEYS.filter((key) => positions[key] !== null);
  const nowMs = now();
  const next: Positions = { ...positions };
  const dueIds: number[] = [];
  const attempts = new Map<number, number>();
  await Promise.all(
    open.map(async (key) => {
      const from = positions[key];
      const page = await query(
        client,
        pendingShardInput(pendingTable, key, {
          maxId: request.maxId,
          limit: perShard,
          afterId: typeof from === 'number' ? from : undefined,
        }),
      );
      for (const entry of allFromAttributes(page.Items)) {
        const id = entry[ATTR.id];
        if (!isDue(entry, nowMs) || typeof id !== 'number') continue;
        dueIds.push(id);
        attempts.set(id, publishAttempts(entry));
      }
      const last = page.LastEvaluatedKey?.[ATTR.id] as AttributeValue | undefined;
      next[key] = last?.N === undefined ? null : Number(last.N);
    }),
  );
  const items = await readByKeys({ client, table }, dueIds.map(eventKey), { consistent: true });
  const due: PendingEvent[] = [];
  const unwritten: number[] = [];
  for (const id of dueIds.sort((a, b) => a - b)) {
    const item = items.get(eventKey(id));
    if (item === undefined || isClosedId(item)) unwritten.push(id);
    else due.push({ record: parseEventItem(item), attempts: attempts.get(id) ?? 0 });
  }
  const done = SHARD_KEYS.every((key) => next[key] === null);
  return { due, unwritten, next: done ? undefined : Buffer.from(JSON.stringify(next)).toString('base64url') };
}

/** The marks counted up to `cap`, and the oldest id (PublishingState.backlog). */
async function countBacklog({ client, pendingTable }: PendingContext, cap: number) {
  const perShard = Math.ceil(cap / SHARD_KEYS.length);
  const shards = await Promise.all(
    SHARD_KEYS.map(async (key) => {
      let count = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await query(client, pendingShardInput(pendingTable, key, { count: true }, start));
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start !== undefined && count < perShard);
      const oldest = await query(client, pendingShardInput(pendingTable, key, { limit: 1 }));
      const first = allFromAttributes(oldest.Items)[0]?.[ATTR.id];
      return { count, capped: start !== undefined, oldest: typeof first === 'number' ? first : undefined };
    }),
  );
  const oldestIds = shards.map((shard) => shard.oldest).filter((id) => id !== undefined);
  return {
    count: shards.reduce((sum, shard) => sum + shard.count, 0),
    capped: shards.some((shard) => shard.capped),
    oldestId: oldestIds.length === 0 ? undefined : Math.min(...oldestIds),
  };
}
