// The Juno app event record: exactly 15 fields, always in this order, never null.

import { cutText } from '../text';
import { type Operation, operationName, SOURCE_NAMES, type Source } from './catalog';

export const RECORD_FIELDS = [
  'id',
  'app_name',
  'aid',
  'zone_code',
  'env',
  'host_name',
  'operator_type',
  'user_name',
  'uid',
  'operation',
  'create_time',
  'source',
  'metadata',
  'operation_name',
  'source_name',
] as const;

/** The longest app, env, zone and user name a record keeps, in characters (Juno's varchar(191)). */
export const MAX_NAME = 191;

/**
 * The window a sender's own time is believed in: from 2000-01-01 to this far ahead of our clock
 * (beyond it: a wrong clock, or milliseconds sent as seconds).
 */
export const EARLIEST_SENDER_TIME = Date.UTC(2000, 0, 1) / 1000;
export const MAX_FUTURE_SKEW_SECONDS = 5 * 60;

/**
 * A sender's name cut to what the record keeps (MAX_NAME characters, the last one "…"). Used for
 * names a real sender may make longer (GitLab allows 255); the full value stays in metadata.
 */
export function recordName(value: string): string {
  return cutText(value, MAX_NAME);
}

export type OperatorType = 'user' | 'openapi';

export interface AppEvent {
  id: number;
  app_name: string;
  aid: number;
  zone_code: string;
  env: string;
  /** Several hosts are joined with ",". */
  host_name: string;
  operator_type: OperatorType;
  user_name: string;
  uid: number;
  operation: Operation;
  /** Unix seconds. */
  create_time: number;
  source: Source;
  /** A JSON document, kept as a string. */
  metadata: string;
  operation_name: string;
  source_name: string;
}

/** What a source's shaping code produces: the record before it has an id and catalog names. */
export type EventDraft = Omit<AppEvent, 'id' | 'operation_name' | 'source_name'>;

/** Completes a draft with its id and the catalog's names, in the spec's field order. */
export function completeRecord(draft: EventDraft, id: number): AppEvent {
  return {
    id,
    app_name: draft.app_name,
    aid: draft.aid,
    zone_code: draft.zone_code,
    env: draft.env,
    host_name: draft.host_name,
    operator_type: draft.operator_type,
    user_name: draft.user_name,
    uid: draft.uid,
    operation: draft.operation,
    create_time: draft.create_time,
    source: draft.source,
    metadata: draft.metadata,
    operation_name: operationName(draft.operation),
    source_name: SOURCE_NAMES[draft.source],
  };
}

/** The record's JSON: the bytes the read API returns and the message body carries. */
export function recordJson(record: AppEvent): string {
  return JSON.stringify(completeRecord(record, record.id));
}

/** A draft with the identity of the delivery it came from, so a redelivery records nothing new. */
export interface ShapedEvent {
  draft: EventDraft;
  deliveryKey: string | undefined;
  /** How long this delivery key is remembered, when not the configured redeliveryWindow. */
  redeliveryWindowSeconds?: number;
}
