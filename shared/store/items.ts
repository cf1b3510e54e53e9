// Pure item builders and parsers: what the store writes and how it reads it back. No I/O.

import { FieldError } from '../errors';
import { isOperation, isSource } from '../event/catalog';
import { type AppEvent, completeRecord, type EventDraft, type OperatorType } from '../event/record';
import { ObjectReader } from '../json';
import { decodeMetadata, encodeMetadata } from './compact';
import { ATTR, eventKey, listingSortKey, pendingKey, SHARDS, shardKey, shardOf } from './schema';
import type { DeliveryClaim, StoredEvent } from './types';

/**
 * The item of a new event: the record (its metadata compacted: compact.ts), its keys, and
 * `expires_at` (unix seconds) when events are kept for a retention.
 */
export function eventItem(
  record: AppEvent,
  options: { delivery: string | undefined; expiresAt?: number | undefined },
): Record<string, unknown> {
  return {
    ...record,
    metadata: encodeMetadata(record.metadata),
    [ATTR.pk]: eventKey(record.id),
    [ATTR.ts]: listingSortKey(record.create_time, record.id),
    [ATTR.appKey]: record.app_name ? shardKey(record.app_name, shardOf(record.id, SHARDS.app)) : undefined,
    [ATTR.sourceKey]: shardKey(record.source, shardOf(record.id, SHARDS.source)),
    [ATTR.delivery]: options.delivery,
    [ATTR.expiresAt]: options.expiresAt,
  };
}

/** How long a closed id stays closed: far past any write still in flight when it was closed. */
export const CLOSED_ID_SECONDS = 86_400;

/** The item that closes id `id` for good: no event can be written there (schema.ts). */
export function closedIdItem(id: number, nowSeconds: number): Record<string, unknown> {
  return {
    [ATTR.pk]: eventKey(id),
    [ATTR.id]: id,
    [ATTR.closed]: true,
    [ATTR.expiresAt]: nowSeconds + CLOSED_ID_SECONDS,
  };
}

export function isClosedId(item: Record<string, unknown>): boolean {
  return item[ATTR.closed] === true;
}

/** The pending mark of event `id` (in the pending table), expiring with its event when it has a retention. */
export function pendingMarkItem(id: number, expiresAt?: number): Record<string, unknown> {
  return { [ATTR.pk]: pendingKey(id), [ATTR.id]: id, [ATTR.expiresAt]: expiresAt };
}

/** The key of event `id`'s pending mark. */
export function pendingMarkKey(id: number): Record<string, unknown> {
  return { [ATTR.pk]: pendingKey(id), [ATTR.id]: id };
}

/** The item that remembers which event a delivery key produced, until `expiresAt` (unix seconds). */
export function deliveryItem(pk: string, eventId: number, expiresAt: number): Record<string, unknown> {
  return { [ATTR.pk]: pk, [ATTR.eventId]: eventId, [ATTR.expiresAt]: expiresAt };
}

/** The claim a delivery item holds; undefined for no item (or one that is not a claim). */
export function parseDeliveryItem(item: Record<string, unknown> | undefined): DeliveryClaim | undefined {
  const pk = item?.[ATTR.pk];
  const eventId = item?.[ATTR.eventId];
  const expiresAt = item?.[ATTR.expiresAt];
  if (typeof pk !== 'string' || typeof eventId !== 'number' || typeof expiresAt !== 'number') return undefined;
  return { pk, eventId, expiresAt };
}

/** The delivery item key stored on an event item, if any. */
export function deliveryOf(item: Record<string, unknown> | undefined): string | undefined {
  const delivery = item?.[ATTR.delivery];
  return typeof delivery === 'string' ? delivery : undefined;
}

export function publishAttempts(item: Record<string, unknown>): number {
  const attempts = item[ATTR.publishAttempts];
  return typeof attempts === 'number' ? attempts : 0;
}

/** Whether a pending mark is due at `nowMs` (no retry_at, or retry_at passed). */
export function isDue(entry: Record<string, unknown>, nowMs: number): boolean {
  const retryAt = entry[ATTR.retryAt];
  return typeof retryAt !== 'number' || retryAt <= nowMs;
}

/** A stored event item with the delivery it was recorded under, or a closed id. */
export function parseStoredEvent(item: Record<string, unknown>): StoredEvent {
  if (isClosedId(item)) return { record: undefined, delivery: undefined };
  return { record: parseEventItem(item), delivery: deliveryOf(item) };
}

/** The event an item holds; undefined for no item or a closed id. */
export function eventOf(item: Record<string, unknown> | undefined): AppEvent | undefined {
  return item === undefined || isClosedId(item) ? undefined : parseEventItem(item);
}

/** Reads a stored event back into a record, checking every field: nothing internal leaves. */
export function parseEventItem(item: Record<string, unknown>): AppEvent {
  try {
    const reader = ObjectReader.of(item, 'item');
    const operation = reader.string('operation');
    const source = reader.string('source');
    const operatorType = reader.string('operator_type');
    if (!isOperation(operation)) throw new FieldError('item.operation', 'a catalog operation', operation);
    if (!isSource(source)) throw new FieldError('item.source', 'a catalog source', source);
    if (!isOperatorType(operatorType)) throw new FieldError('item.operator_type', '"user" or "openapi"', operatorType);
    const draft: EventDraft = {
      app_name: reader.string('app_name'),
      aid: reader.optionalInteger('aid') ?? 0,
      zone_code: reader.string('zone_code'),
      env: reader.string('env'),
      host_name: reader.string('host_name'),
      operator_type: operatorType,
      user_name: reader.string('user_name'),
      uid: reader.optionalInteger('uid') ?? 0,
      operation,
      create_time: reader.optionalInteger('create_time') ?? 0,
      source,
      metadata: decodeMetadata(item.metadata) ?? reader.string('metadata'),
    };
    const id = reader.optionalInteger('id', { min: 1 });
    if (id === undefined) throw new FieldError('item.id', 'present');
    return completeRecord(draft, id);
  } catch (error) {
    throw new Error('a stored event item is malformed', { cause: error });
  }
}

function isOperatorType(value: string): value is OperatorType {
  return value === 'user' || value === 'openapi';
}
