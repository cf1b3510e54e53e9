// The publishing state of stored events on DynamoDB: the pending mark, failed attempts, and the
// byPending index the redrive reads, all of its shards at once. I/O only: the commands are built in
// commands.ts, the item rules live in items.ts.

import { type AttributeValue, type DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isPlainObject } from '../json';
import { readByKeys } from './batch-get';
import { allFromAttributes, conditionally, orUnavailable } from './client';
import { markPublishedInput, markPublishFailedInput, pendingShardInput } from './commands';
import { isDue, isPending, parseEventItem, publishAttempts } from './items';
import { ATTR, allShardKeys, eventKey, SHARDS } from './schema';
import type { PendingEvent, PublishingState } from './types';

interface PendingContext {
  client: DynamoDBClient;
  table: string;
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

export function pendingOperations({ client, table, now }: PendingContext): PublishingState {
  const query = (input: ReturnType<typeof pendingShardInput>) =>
    orUnavailable(() => client.send(new QueryCommand(input)));

  async function markPublished(id: number): Promise<void> {
    await conditionally(() =>
      client.send(new UpdateItemCommand(markPublishedInput(table, id, Math.floor(now() / 1000)))),
    );
  }

  async function markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void> {
    // Refused when the event was published meanwhile (by the webhook's own late publish): nothing to record.
    await conditionally(() => client.send(new UpdateItemCommand(markPublishFailedInput(table, id, attempts, retryAt))));
  }

  async function pendingEvents(request: { maxId: number; limit: number; after?: string | undefined }) {
    const positions = parsePositions(request.after);
    const perShard = Math.max(1, Math.ceil(request.limit / SHARD_KEYS.length));
    const open = SHARD_KEYS.filter((key) => positions[key] !== null);
    const nowMs = now();
    const next: Positions = { ...positions };
    const dueIds: number[] = [];
    await Promise.all(
      open.map(async (key) => {
        const from = positions[key];
        const page = await query(
          pendingShardInput(table, key, {
            maxId: request.maxId,
            limit: perShard,
            afterId: typeof from === 'number' ? from : undefined,
          }),
        );
        for (const entry of allFromAttributes(page.Items)) {
          const id = entry[ATTR.id];
          if (isDue(entry, nowMs) && typeof id === 'number') dueIds.push(id);
        }
        const last = page.LastEvaluatedKey?.[ATTR.id] as AttributeValue | undefined;
        next[key] = last?.N === undefined ? null : Number(last.N);
      }),
    );
    const items = await readByKeys({ client, table }, dueIds.map(eventKey), { consistent: true });
    const due: PendingEvent[] = [...items.values()]
      .filter(isPending)
      .map((item) => ({ record: parseEventItem(item), attempts: publishAttempts(item) }))
      .sort((a, b) => a.record.id - b.record.id);
    const done = SHARD_KEYS.every((key) => next[key] === null);
    return { due, next: done ? undefined : Buffer.from(JSON.stringify(next)).toString('base64url') };
  }

  async function backlog(cap: number) {
    const perShard = Math.ceil(cap / SHARD_KEYS.length);
    const shards = await Promise.all(
      SHARD_KEYS.map(async (key) => {
        let count = 0;
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await query(pendingShardInput(table, key, { count: true }, start));
          count += page.Count ?? 0;
          start = page.LastEvaluatedKey;
        } while (start !== undefined && count < perShard);
        const oldest = await query(pendingShardInput(table, key, { limit: 1 }));
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

  return { markPublished, markPublishFailed, pendingEvents, backlog };
}
