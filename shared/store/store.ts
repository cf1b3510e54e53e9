// The appevent table. Items:
//   E#<id>                 one event: the 15 record fields plus ts (sort key for the listing indexes),
//                          app_key (byApp partition; absent when app_name is empty) and dedup.
//   D#<source>#<sha256>    a redelivery claim: which event a dedup key produced, kept until expires_at.
// Every write is conditional: an event is never overwritten.

import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { BadRequestError, ServiceUnavailableError } from '../errors';
import { isOperation, isSource, type Operation, type Source } from '../event/catalog';
import { FieldError, isPlainObject, ObjectReader } from '../event/fields';
import type { IdGenerator } from '../event/ids';
import { type AppEvent, completeRecord, type EventDraft, type OperatorType } from '../event/record';

export interface RecordRequest {
  draft: EventDraft;
  /** The sender's delivery identity; a second request with the same key records nothing new. */
  dedupKey: string | undefined;
}

export interface RecordResult {
  record: AppEvent;
  duplicate: boolean;
  /** Newly stored and not yet forwarded: the caller publishes it. Always false for a duplicate. */
  pending: boolean;
}

/** A stored event still waiting to be forwarded, with its delivery history. */
export interface PendingEvent {
  record: AppEvent;
  /** Failed publish attempts so far. */
  attempts: number;
}

export interface ListQuery {
  app_name?: string | undefined;
  source?: Source | undefined;
  operation?: Operation | undefined;
  env?: string | undefined;
  /** Unix seconds, inclusive. */
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ListResult {
  events: AppEvent[];
  nextCursor: string | undefined;
}

export interface EventStore {
  record(request: RecordRequest): Promise<RecordResult>;
  get(id: number): Promise<AppEvent | undefined>;
  list(query: ListQuery): Promise<ListResult>;
  /** Clears the pending mark once the event is on the message stream. */
  markForwarded(id: number): Promise<void>;
  /** Records a failed publish; the event is retried no earlier than `retryAt` (unix ms). */
  markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void>;
  /** Pending events with ids up to `maxId`, oldest first, due at `now`; at most `limit` looked at. */
  pendingEvents(options: { maxId: number; limit: number; startAfter?: number }): Promise<{
    due: PendingEvent[];
    /** The last id looked at, to continue from; undefined at the end. */
    last: number | undefined;
  }>;
  /** How many events are pending (counted up to `cap`) and the id of the oldest. */
  backlog(cap: number): Promise<{ count: number; capped: boolean; oldestId: number | undefined }>;
}

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  ids: IdGenerator;
  /** Unix milliseconds. */
  now?: () => number;
  /** How long a dedup claim lasts. */
  dedupTtlSeconds?: number;
  /** Forwarding is on: new events are written marked pending, for the publisher and the redrive. */
  forwarding?: boolean;
}

/** The value of `pending` while an event waits to be forwarded (the byPending index's partition). */
const PENDING = 'P';

export const DEFAULT_DEDUP_TTL_SECONDS = 7 * 24 * 3600;
const MAX_ID_DRAWS = 5;
const MAX_PAGES_PER_LIST = 5;

/** A DynamoDB client with bounded timeouts, so an unreachable database fails fast (503). */
export function createDynamoClient(env: NodeJS.ProcessEnv = process.env): DynamoDBClient {
  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  return new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
}

// Plain objects in and out of DynamoDB's attribute values (undefined fields are left out).
function toAttributes(value: Record<string, unknown>): Record<string, AttributeValue> {
  return marshall(value, { removeUndefinedValues: true });
}

function fromAttributes(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item === undefined ? undefined : unmarshall(item);
}

function allFromAttributes(items: Record<string, AttributeValue>[] | undefined): Record<string, unknown>[] {
  return (items ?? []).map((item) => unmarshall(item));
}

export function eventKey(id: number): string {
  return `E#${id}`;
}

export function claimKey(source: Source, dedupKey: string): string {
  return `D#${source}#${createHash('sha256').update(dedupKey).digest('base64url')}`;
}

/** The sort key of the listing indexes: create_time, then id, both zero-padded. */
function sortKey(createTime: number, id: number): string {
  return `${String(createTime).padStart(11, '0')}#${String(id).padStart(16, '0')}`;
}

export function createDynamoStore(options: DynamoStoreOptions): EventStore {
  const { client, table, ids } = options;
  const now = options.now ?? Date.now;
  const ttl = options.dedupTtlSeconds ?? DEFAULT_DEDUP_TTL_SECONDS;
  const forwarding = options.forwarding ?? false;

  /** Runs a conditional write: true when it was made, false when its condition refused it. */
  async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await send(write);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async function send<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  /** Writes the event at `id`; on a taken id returns the item already there. */
  async function putEvent(
    record: AppEvent,
    dedup: string | undefined,
  ): Promise<{ written: true } | { written: false; takenBy: Record<string, unknown> | undefined }> {
    const written = await conditionally(() =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: toAttributes({
            ...record,
            pk: eventKey(record.id),
            ts: sortKey(record.create_time, record.id),
            app_key: record.app_name || undefined,
            dedup,
            pending: forwarding ? PENDING : undefined,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return written ? { written: true } : { written: false, takenBy: await getItem(eventKey(record.id)) };
  }

  async function getItem(pk: string): Promise<Record<string, unknown> | undefined> {
    const result = await send(() =>
      client.send(new GetItemCommand({ TableName: table, Key: toAttributes({ pk }), ConsistentRead: true })),
    );
    return fromAttributes(result.Item);
  }

  /** Claims the dedup key for `id`. Returns the id of an earlier claim instead, if one is live. */
  async function claim(pk: string, id: number): Promise<number | undefined> {
    const nowSeconds = Math.floor(now() / 1000);
    const claimed = await conditionally(() =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: toAttributes({ pk, event_id: id, expires_at: nowSeconds + ttl }),
          ConditionExpression: 'attribute_not_exists(pk) OR expires_at < :now',
          ExpressionAttributeValues: toAttributes({ ':now': nowSeconds }),
        }),
      ),
    );
    return claimed ? undefined : claimedId(await getItem(pk));
  }

  /** Moves a claim from one id to another after an id collision; false if it no longer points at `from`. */
  function repoint(pk: string, from: number, to: number): Promise<boolean> {
    return conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ pk }),
          UpdateExpression: 'SET event_id = :to',
          ConditionExpression: 'event_id = :from',
          ExpressionAttributeValues: toAttributes({ ':to': to, ':from': from }),
        }),
      ),
    );
  }

  async function record(request: RecordRequest): Promise<RecordResult> {
    const { draft } = request;
    const dedup = request.dedupKey === undefined ? undefined : claimKey(draft.source, request.dedupKey);
    let id = ids.next();
    if (dedup !== undefined) {
      const earlier = await claim(dedup, id);
      if (earlier !== undefined) id = earlier;
    }
    for (let draw = 1; draw <= MAX_ID_DRAWS; draw += 1) {
      const candidate = completeRecord(draft, id);
      const outcome = await putEvent(candidate, dedup);
      if (outcome.written) return { record: candidate, duplicate: false, pending: forwarding };
      const taken = outcome.takenBy;
      if (dedup !== undefined && taken?.dedup === dedup) {
        // The same delivery was recorded under this id first (an earlier or concurrent copy). Its
        // own function publishes it, or the redrive does: a copy never publishes again.
        return { record: parseEventItem(taken), duplicate: true, pending: false };
      }
      // Another event holds this id (two containers drew the same id): draw again.
      const next = ids.next();
      if (dedup !== undefined && !(await repoint(dedup, id, next))) {
        const current = claimedId(await getItem(dedup));
        if (current === undefined) throw new Error(`dedup claim ${dedup} vanished while recording`);
        id = current;
        continue;
      }
      id = next;
    }
    throw new Error(`no free event id after ${MAX_ID_DRAWS} draws`);
  }

  async function get(id: number): Promise<AppEvent | undefined> {
    const item = await getItem(eventKey(id));
    return item === undefined ? undefined : parseEventItem(item);
  }

  async function list(query: ListQuery): Promise<ListResult> {
    const plan = planQuery(query);
    let startKey: Record<string, unknown> | undefined =
      query.cursor === undefined ? undefined : decodeCursor(query.cursor, plan.index);
    const events: AppEvent[] = [];
    let lastItem: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES_PER_LIST; page += 1) {
      const result = await send(() =>
        client.send(
          new QueryCommand({
            TableName: table,
            IndexName: plan.index,
            KeyConditionExpression: '#key = :key AND ts BETWEEN :from AND :to',
            ...(plan.filter ? { FilterExpression: plan.filter } : {}),
            ExpressionAttributeNames: plan.names,
            ExpressionAttributeValues: toAttributes(plan.values),
            ScanIndexForward: false,
            Limit: query.limit,
            ...(startKey ? { ExclusiveStartKey: toAttributes(startKey) } : {}),
          }),
        ),
      );
      for (const item of allFromAttributes(result.Items)) {
        if (events.length === query.limit) {
          return { events, nextCursor: encodeCursor(plan.index, lastItem) };
        }
        events.push(parseEventItem(item));
        lastItem = item;
      }
      startKey = fromAttributes(result.LastEvaluatedKey);
      if (startKey === undefined) return { events, nextCursor: undefined };
      if (events.length === query.limit) break;
    }
    return { events, nextCursor: encodeCursor(plan.index, startKey) };
  }

  async function markForwarded(id: number): Promise<void> {
    await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ pk: eventKey(id) }),
          UpdateExpression: 'REMOVE pending, publish_attempts, retry_at SET forwarded_at = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: toAttributes({ ':now': Math.floor(now() / 1000) }),
        }),
      ),
    );
  }

  async function markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void> {
    // Refused when the event was forwarded meanwhile (by the webhook's own late publish): nothing to record.
    await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ pk: eventKey(id) }),
          UpdateExpression: 'SET publish_attempts = :attempts, retry_at = :retryAt',
          ConditionExpression: 'pending = :pending',
          ExpressionAttributeValues: toAttributes({ ':attempts': attempts, ':retryAt': retryAt, ':pending': PENDING }),
        }),
      ),
    );
  }

  async function pendingEvents(query: { maxId: number; limit: number; startAfter?: number }) {
    const page = await send(() =>
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byPending',
          KeyConditionExpression: 'pending = :pending AND id <= :maxId',
          ExpressionAttributeValues: toAttributes({ ':pending': PENDING, ':maxId': query.maxId }),
          ScanIndexForward: true,
          Limit: query.limit,
          ...(query.startAfter === undefined
            ? {}
            : {
                ExclusiveStartKey: toAttributes({
                  pending: PENDING,
                  id: query.startAfter,
                  pk: eventKey(query.startAfter),
                }),
              }),
        }),
      ),
    );
    const nowMs = now();
    const keys = allFromAttributes(page.Items);
    const dueIds = keys
      .filter((key) => typeof key.retry_at !== 'number' || key.retry_at <= nowMs)
      .map((key) => key.id)
      .filter((id): id is number => typeof id === 'number');
    const due: PendingEvent[] = [];
    for (const id of dueIds) {
      const item = await getItem(eventKey(id));
      if (item === undefined || item.pending !== PENDING) continue;
      const attempts = typeof item.publish_attempts === 'number' ? item.publish_attempts : 0;
      due.push({ record: parseEventItem(item), attempts });
    }
    const lastKey = fromAttributes(page.LastEvaluatedKey);
    const last = lastKey === undefined ? undefined : typeof lastKey.id === 'number' ? lastKey.id : undefined;
    return { due, last };
  }

  async function backlog(cap: number) {
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await send(() =>
        client.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'byPending',
            KeyConditionExpression: 'pending = :pending',
            ExpressionAttributeValues: toAttributes({ ':pending': PENDING }),
            Select: 'COUNT',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined && count < cap);
    const oldest = await send(() =>
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byPending',
          KeyConditionExpression: 'pending = :pending',
          ExpressionAttributeValues: toAttributes({ ':pending': PENDING }),
          ScanIndexForward: true,
          Limit: 1,
        }),
      ),
    );
    const first = allFromAttributes(oldest.Items)[0]?.id;
    return { count, capped: start !== undefined, oldestId: typeof first === 'number' ? first : undefined };
  }

  return { record, get, list, markForwarded, markPublishFailed, pendingEvents, backlog };
}

type IndexName = 'byApp' | 'bySource';

const INDEX_KEY: Readonly<Record<IndexName, string>> = { byApp: 'app_key', bySource: 'source' };

interface QueryPlan {
  index: IndexName;
  filter: string | undefined;
  names: Record<string, string>;
  values: Record<string, string>;
}

function planQuery(query: ListQuery): QueryPlan {
  const index: IndexName = query.app_name === undefined ? 'bySource' : 'byApp';
  const keyValue = query.app_name ?? query.source;
  if (keyValue === undefined) throw new Error('a listing needs app_name or source');
  const names: Record<string, string> = { '#key': INDEX_KEY[index] };
  const values: Record<string, string> = {
    ':key': keyValue,
    ':from': sortKey(query.since ?? 0, 0),
    ':to': `${String(query.until ?? 99_999_999_999).padStart(11, '0')}#~`,
  };
  const filters: string[] = [];
  const filterOn = { env: query.env, operation: query.operation, source: index === 'byApp' ? query.source : undefined };
  for (const [field, value] of Object.entries(filterOn)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    filters.push(`#${field} = :${field}`);
  }
  return { index, filter: filters.length ? filters.join(' AND ') : undefined, names, values };
}

function encodeCursor(index: IndexName, key: Record<string, unknown> | undefined): string | undefined {
  if (key === undefined) return undefined;
  const keyField = INDEX_KEY[index];
  return Buffer.from(JSON.stringify({ i: index, pk: key.pk, ts: key.ts, k: key[keyField] })).toString('base64url');
}

function decodeCursor(cursor: string, index: IndexName): Record<string, string> {
  const invalid = () =>
    new BadRequestError(
      'invalid_cursor',
      'cursor is not one this listing returned: pass next_cursor unchanged, with the same filters',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isPlainObject(parsed)) throw invalid();
  const { i, pk, ts, k } = parsed;
  if (i !== index || typeof pk !== 'string' || typeof ts !== 'string' || typeof k !== 'string') throw invalid();
  return { pk, ts, [INDEX_KEY[index]]: k };
}

function claimedId(item: Record<string, unknown> | undefined): number | undefined {
  const id = item?.event_id;
  return typeof id === 'number' ? id : undefined;
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
      metadata: reader.string('metadata'),
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

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

const UNAVAILABLE_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * Network failures, throttling and 5xx answers from DynamoDB become a 503 (the sender retries);
 * anything else (a validation error, a missing table) stays an error and becomes a plain 500.
 */
function asUnavailable(error: unknown): unknown {
  if (!(error instanceof Error) || error.name === 'ConditionalCheckFailedException') return error;
  const metadata = '$metadata' in error && isPlainObject(error.$metadata) ? error.$metadata : undefined;
  const status = typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const unavailable =
    UNAVAILABLE_NAMES.has(error.name) ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (metadata !== undefined && (status === undefined || status >= 500));
  return unavailable
    ? new ServiceUnavailableError('the event store is unavailable; retry later', { cause: error })
    : error;
}
