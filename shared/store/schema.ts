// The appevent table's keys, attributes and indexes, declared once. serverless.yml defines the same
// table for CloudFormation; test/unit/schema.test.ts holds the two together.
//
// Items:
//   E#<id>                  one event: the 15 record fields, plus
//                             ts          the listing indexes' sort key (create_time, then id)
//                             app_key     "<app_name>#<shard>": byApp's partition (absent when app_name is empty)
//                             source_key  "<source>#<shard>": bySource's partition
//                             delivery    the delivery item's key, when the request had a delivery key
//   E#<id> with closed      an id closed for good (no event may be written at it): the redrive closes
//                           the id of a pending mark whose event was never written, then drops the mark.
//   D#<source>#<sha256>     a delivery: which event a delivery key produced (event_id), kept until
//                           expires_at (the table's TTL attribute), so a redelivery records nothing new.
// Every write is conditional: an event is never overwritten.
//
// The pending table (`<table>-pending`) holds one small item per event not yet published, keyed for
// the redrive: partition `P#<shard>`, sort `id`; `publish_attempts` and `retry_at` after failures.
// It is written before its event and deleted once the event is on the stream, so what publishing
// costs does not grow with the event (the event item is written once and never rewritten).
//
// Write sharding: a partition key value takes at most 1,000 write units a second, so every index key
// with few values is spread over shards by the event id (its low bits are a per-millisecond sequence,
// so consecutive events land on different shards). Reads gather all shards of a key and merge them.

import { sha256Base64url } from '../crypto';
import type { Source } from '../event/catalog';

export const ATTR = {
  pk: 'pk',
  ts: 'ts',
  appKey: 'app_key',
  sourceKey: 'source_key',
  source: 'source',
  id: 'id',
  delivery: 'delivery',
  publishAttempts: 'publish_attempts',
  retryAt: 'retry_at',
  closed: 'closed',
  eventId: 'event_id',
  expiresAt: 'expires_at',
} as const;

/**
 * Shards per key. byApp: 8 (one app's alert storm of 4,000 events/s stays under half a partition's
 * limit); bySource: 32 (all of 10,000 events/s from one source likewise); pending: 64 (each
 * published event's mark is written and deleted: two writes).
 */
export const SHARDS = { app: 8, source: 32, pending: 64 } as const;

/** The listing indexes: the partition attribute of each (both sort on ts) and their shard counts. */
export const LISTING_INDEXES = {
  byApp: { partition: ATTR.appKey, shards: SHARDS.app },
  bySource: { partition: ATTR.sourceKey, shards: SHARDS.source },
} as const;
export type ListingIndex = keyof typeof LISTING_INDEXES;

/** What the listing indexes carry beside their keys: what listing filters on. The rest is read by key. */
export const LISTING_PROJECTION = ['id', 'env', 'operation', 'source'] as const;

/** The table of pending marks beside the events table `table`. */
export function pendingTableName(table: string): string {
  return `${table}-pending`;
}

/** The shard of an event among `count`. */
export function shardOf(id: number, count: number): number {
  return id % count;
}

/** The partition key value of shard `shard` of `key` (an app name, a source, or "P" for pending). */
export function shardKey(key: string, shard: number): string {
  return `${key}#${String(shard).padStart(2, '0')}`;
}

/** Every shard's key value of `key`. */
export function allShardKeys(key: string, count: number): string[] {
  return Array.from({ length: count }, (_, shard) => shardKey(key, shard));
}

/** The partition of an event's pending mark. */
export function pendingKey(id: number): string {
  return shardKey('P', shardOf(id, SHARDS.pending));
}

export function eventKey(id: number): string {
  return `E#${id}`;
}

export function deliveryItemKey(source: Source, deliveryKey: string): string {
  return `D#${source}#${sha256Base64url(deliveryKey)}`;
}

/** The sort key of the listing indexes: create_time, then id, both zero-padded. */
export function listingSortKey(createTime: number, id: number): string {
  return `${String(createTime).padStart(11, '0')}#${String(id).padStart(16, '0')}`;
}

/** The highest listing sort key at `createTime` (for an inclusive upper bound). */
export function listingSortKeyEnd(createTime: number): string {
  return `${String(createTime).padStart(11, '0')}#~`;
}
