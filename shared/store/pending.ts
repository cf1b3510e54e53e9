// The publishing state of stored events: the pending mark, failed attempts, and the byPending index
// the redrive reads, all of its shards at once. I/O only; the item rules live in items.ts.

import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isPlainObject } from '../event/fields';
import { allFromAttributes, conditionally, toAttributes, unconditionally } from './client';
import { deliveredEventId, deliveryOf, isDue, isPending, parseEventItem, publishAttempts } from './items';
import { ATTR, allShardKeys, eventKey, PENDING_INDEX, SHARDS } from './schema';
import { discardEvent, putDelivery, readByKeys } from './shared-io';
import type { EventStore, PendingEvent } from './types';

interface PendingContext {
  client: DynamoDBClient;
  table: string;
  /** Unix milliseconds. */
  now: () => number;
  redeliveryWindowSeconds: number;
}

type PendingOperations = Pick<EventStore, 'markPublished' | 'markPublishFailed' | 'pendingEvents' | 'backlog'>;

const SHARD_KEYS = allShardKeys('P', SHARDS.pending);

/** Where each shard's reading stands: the last id read, or null when the shard is done. */
type Positions = Record<string, number | null>;

function parsePositions(token: string | undefined): Positions {
  if (token === undefined) return {};
  const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  if (!isPlainObject(parsed)) throw new Error('a pending-events token is malformed');
  return parsed as Positions;
}

export function pendingOperations({ client, table, now, redeliveryWindowSeconds }: PendingContext): PendingOperations {
  async function markPublished(id: number): Promise<void> {
    await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
          UpdateExpression: 'REMOVE #pending, #attempts, #retryAt SET #publishedAt = :now',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': ATTR.pk,
            '#pending': ATTR.pending,
            '#attempts': ATTR.publishAttempts,
            '#retryAt': ATTR.retryAt,
            '#publishedAt': ATTR.publishedAt,
          },
          ExpressionAttributeValues: toAttributes({ ':now': Math.floor(now() / 1000) }),
        }),
      ),
    );
  }

  async function markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void> {
    // Refused when the event was published meanwhile (by the webhook's own late publish): nothing to record.
    await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
          UpdateExpression: 'SET #attempts = :attempts, #retryAt = :retryAt',
          ConditionExpression: 'attribute_exists(#pending)',
          ExpressionAttributeNames: {
            '#pending': ATTR.pending,
            '#attempts': ATTR.publishAttempts,
            '#retryAt': ATTR.retryAt,
          },
          ExpressionAttributeValues: toAttributes({ ':attempts': attempts, ':retryAt': retryAt }),
        }),
      ),
    );
  }

  function queryShard(shardKey: string, extra: Partial<QueryCommandInput>) {
    return unconditionally(() =>
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: PENDING_INDEX,
          KeyConditionExpression: '#pending = :pending',
          ExpressionAttributeNames: { '#pending': ATTR.pending },
          ExpressionAttributeValues: toAttributes({ ':pending': shardKey }),
          ScanIndexForward: true,
          ...extra,
        }),
      ),
    );
  }

  const readItems = async (pks: readonly string[]) => [
    ...(await readByKeys({ client, table }, pks, { consistent: true })).values(),
  ];

  async function pendingEvents(query: { maxId: number; limit: number; after?: string }) {
    const positions = parsePositions(query.after);
    const perShard = Math.max(1, Math.ceil(query.limit / SHARD_KEYS.length));
    const open = SHARD_KEYS.filter((key) => positions[key] !== null);
    const nowMs = now();
    const next: Positions = { ...positions };
    const dueIds: number[] = [];
    await Promise.all(
      open.map(async (key) => {
        const from = positions[key];
        const page = await queryShard(key, {
          KeyConditionExpression: '#pending = :pending AND #id <= :maxId',
          ExpressionAttributeNames: { '#pending': ATTR.pending, '#id': ATTR.id },
          ExpressionAttributeValues: toAttributes({ ':pending': key, ':maxId': query.maxId }),
          Limit: perShard,
          ...(typeof from === 'number'
            ? { ExclusiveStartKey: toAttributes({ [ATTR.pending]: key, [ATTR.id]: from, [ATTR.pk]: eventKey(from) }) }
            : {}),
        });
        for (const entry of allFromAttributes(page.Items)) {
          const id = entry[ATTR.id];
          if (isDue(entry, nowMs) && typeof id === 'number') dueIds.push(id);
        }
        const last = page.LastEvaluatedKey?.[ATTR.id] as AttributeValue | undefined;
        next[key] = last?.N === undefined ? null : Number(last.N);
      }),
    );
    const pending = (await readItems(dueIds.map(eventKey))).filter(isPending);
    const due: PendingEvent[] = (await withoutOrphans(pending))
      .map((item) => ({ record: parseEventItem(item), attempts: publishAttempts(item) }))
      .sort((a, b) => a.record.id - b.record.id);
    const done = SHARD_KEYS.every((key) => next[key] === null);
    return { due, next: done ? undefined : Buffer.from(JSON.stringify(next)).toString('base64url') };
  }

  /**
   * The events that their delivery items name. A webhook writes the event and the delivery item
   * side by side; when it stops in between, the redrive finishes the pair: an event whose delivery
   * item names another event (a redelivery's leftover) is deleted, never published; an event whose
   * delivery item is missing gets it, so a later redelivery of it records nothing new.
   */
  async function withoutOrphans(items: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const deliveries = new Map(
      (await readItems([...new Set(items.map(deliveryOf).filter((d) => d !== undefined))])).map((d) => [
        String(d[ATTR.pk]),
        deliveredEventId(d),
      ]),
    );
    const kept = await Promise.all(
      items.map(async (item) => {
        const delivery = deliveryOf(item);
        const id = Number(item[ATTR.id]);
        if (delivery === undefined) return item;
        let owner = deliveries.get(delivery);
        if (owner === undefined) {
          const expiresAt = Math.floor(now() / 1000) + redeliveryWindowSeconds;
          const outcome = await putDelivery({ client, table }, delivery, id, expiresAt);
          owner = outcome.written ? id : outcome.eventId;
        }
        if (owner === undefined || owner === id) return item;
        await discardEvent({ client, table }, id, delivery);
        return undefined;
      }),
    );
    return kept.filter((item) => item !== undefined);
  }

  async function backlog(cap: number) {
    const perShard = Math.ceil(cap / SHARD_KEYS.length);
    const shards = await Promise.all(
      SHARD_KEYS.map(async (key) => {
        let count = 0;
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await queryShard(key, { Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) });
          count += page.Count ?? 0;
          start = page.LastEvaluatedKey;
        } while (start !== undefined && count < perShard);
        const oldest = await queryShard(key, { Limit: 1 });
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
