// The appevent table's keys, attributes and indexes, declared once. serverless.yml defines the same
// table for CloudFormation; test/unit/schema.test.ts holds the two together.
//
// Items:
//   E#<id>                  one event: the 15 record fields, plus
//                             ts        the listing indexes' sort key (create_time, then id)
//                             app_key   byApp's partition (absent when app_name is empty)
//                             delivery  the delivery item's key, when the request had a delivery key
//                             pending   "P" while not yet published (byPending's partition)
//                             publish_attempts, retry_at   failed publishes and the next try (redrive)
//                             published_at                 when it was published (unix seconds)
//   D#<source>#<sha256>     a delivery: which event a delivery key produced (event_id), kept until
//                           expires_at (the table's TTL attribute), so a redelivery records nothing new.
// Every write is conditional: an event is never overwritten.

import { sha256Base64url } from '../crypto';
import type { Source } from '../event/catalog';

export const ATTR = {
  pk: 'pk',
  ts: 'ts',
  appKey: 'app_key',
  source: 'source',
  id: 'id',
  delivery: 'delivery',
  pending: 'pending',
  publishAttempts: 'publish_attempts',
  retryAt: 'retry_at',
  publishedAt: 'published_at',
  eventId: 'event_id',
  expiresAt: 'expires_at',
} as const;

/** The listing indexes: partition attribute of each; both sort on ts. */
export const LISTING_INDEXES = { byApp: ATTR.appKey, bySource: ATTR.source } as const;
export type ListingIndex = keyof typeof LISTING_INDEXES;

/** The sparse index of events not yet published: partition `pending`, sort `id`. */
export const PENDING_INDEX = 'byPending';

/** The value of `pending` while an event waits to be published. */
export const PENDING = 'P';

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
