// The event store on DynamoDB: recording with id-collision and redelivery handling, reading by id,
// listing. A thin I/O layer over schema.ts (keys), items.ts (items) and query.ts (listings).

import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { IdGenerator } from '../event/ids';
import { type AppEvent, completeRecord } from '../event/record';
import { allFromAttributes, conditionally, fromAttributes, toAttributes, unconditionally } from './client';
import { deliveredEventId, deliveryOf, eventItem, parseEventItem } from './items';
import { pendingOperations } from './pending';
import { decodeCursor, invalidCursor, mergeShards, planQuery, type QueryPlan, type ShardPage } from './query';
import { ATTR, deliveryItemKey, eventKey } from './schema';
import { discardEvent, putDelivery, readByKeys } from './shared-io';
import type { EventStore, ListQuery, ListResult, RecordRequest, RecordResult } from './types';

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  ids: IdGenerator;
  /** Unix milliseconds. */
  now?: () => number;
  /** How long a delivery key is remembered, in seconds. */
  redeliveryWindowSeconds: number;
  /** Publishing is on: new events are written marked pending, for the publisher and the redrive. */
  publishing?: boolean;
  /** Most events of one request written at once (a notification's alerts); default 32. */
  writeConcurrency?: number;
}

const MAX_ID_DRAWS = 5;
/** Pages of one shard read for one listing page (more when filters skip many). */
const MAX_PAGES_PER_SHARD = 3;
const DEFAULT_WRITE_CONCURRENCY = 32;

export function createDynamoStore(options: DynamoStoreOptions): EventStore {
  const { client, table, ids, redeliveryWindowSeconds } = options;
  const now = options.now ?? Date.now;
  const publishing = options.publishing ?? false;
  const concurrency = options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;

  async function getItem(pk: string): Promise<Record<string, unknown> | undefined> {
    const result = await unconditionally(() =>
      client.send(new GetItemCommand({ TableName: table, Key: toAttributes({ [ATTR.pk]: pk }), ConsistentRead: true })),
    );
    return fromAttributes(result.Item);
  }

  /** The item that refused a conditional write: from the refusal itself, or read back where it is absent. */
  async function refusedBy(existing: Record<string, unknown> | undefined, pk: string) {
    return existing ?? (await getItem(pk));
  }

  /** Writes the event at `record.id`; on a taken id returns the item already there. */
  async function putEvent(record: AppEvent, delivery: string | undefined) {
    const outcome = await conditionally(() =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: toAttributes(eventItem(record, { delivery, pending: publishing })),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': ATTR.pk },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return outcome.written ? undefined : await refusedBy(outcome.existing, eventKey(record.id));
  }

  /** Remembers that delivery `pk` produced event `id`. Returns the id of an earlier live delivery instead. */
  async function rememberDelivery(pk: string, id: number, windowSeconds: number): Promise<number | undefined> {
    const nowSeconds = Math.floor(now() / 1000);
    const outcome = await putDelivery({ client, table }, pk, id, nowSeconds + windowSeconds, nowSeconds);
    if (outcome.written) return undefined;
    return outcome.existing ? outcome.eventId : deliveredEventId(await getItem(pk));
  }

  /** Moves a delivery from one id to another after an id collision; false if it no longer points at `from`. */
  async function repoint(pk: string, from: number, to: number): Promise<boolean> {
    const outcome = await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ [ATTR.pk]: pk }),
          UpdateExpression: 'SET #eventId = :to',
          ConditionExpression: '#eventId = :from',
          ExpressionAttributeNames: { '#eventId': ATTR.eventId },
          ExpressionAttributeValues: toAttributes({ ':to': to, ':from': from }),
        }),
      ),
    );
    return outcome.written;
  }

  async function recordOne(request: RecordRequest, firstId: number): Promise<RecordResult> {
    const { draft } = request;
    if (request.deliveryKey === undefined) return settle(draft, firstId, undefined);
    const delivery = deliveryItemKey(draft.source, request.deliveryKey);
    const window = request.redeliveryWindowSeconds ?? redeliveryWindowSeconds;
    // The delivery item and the event item are written side by side: a new delivery, the usual
    // case, takes one round trip.
    const candidate = completeRecord(draft, firstId);
    const [earlier, taken] = await Promise.all([
      rememberDelivery(delivery, firstId, window),
      putEvent(candidate, delivery),
    ]);
    if (earlier === undefined) {
      if (taken === undefined) return { record: candidate, duplicate: false, pending: publishing };
      return settle(draft, firstId, delivery, taken);
    }
    // A redelivery: the event it wrote beside the delivery item must not stay (if this function
    // stops before that, the redrive removes it). The first delivery's event is completed if its
    // own function stopped before writing it.
    if (taken === undefined) await discardEvent({ client, table }, firstId, delivery);
    return settle(draft, earlier, delivery);
  }

  /**
   * Writes the event at `id` (unless `takenAt` already says who holds it): done when written, a
   * duplicate when the same delivery holds it, another id when another event does (two containers
   * drew the same id), with the delivery item moved along.
   */
  async function settle(
    draft: RecordRequest['draft'],
    firstId: number,
    delivery: string | undefined,
    takenAt?: Record<string, unknown>,
  ): Promise<RecordResult> {
    let id = firstId;
    let known = takenAt;
    for (let draw = 1; draw <= MAX_ID_DRAWS; draw += 1) {
      const candidate = completeRecord(draft, id);
      const taken = known ?? (await putEvent(candidate, delivery));
      known = undefined;
      if (taken === undefined) return { record: candidate, duplicate: false, pending: publishing };
      if (delivery !== undefined && deliveryOf(taken) === delivery) {
        // The same delivery was recorded under this id first (an earlier or concurrent copy). Its
        // own function publishes it, or the redrive does: a redelivery never publishes again.
        return { record: parseEventItem(taken), duplicate: true, pending: false };
      }
      const next = ids.next();
      if (delivery !== undefined && !(await repoint(delivery, id, next))) {
        const current = deliveredEventId(await getItem(delivery));
        if (current === undefined) throw new Error(`delivery ${delivery} vanished while recording`);
        id = current;
        continue;
      }
      id = next;
    }
    throw new Error(`no free event id after ${MAX_ID_DRAWS} draws`);
  }

  async function recordAll(requests: readonly RecordRequest[]): Promise<RecordResult[]> {
    // Every id is drawn here, in body order, before the first write.
    const firstIds = requests.map(() => ids.next());
    const results: RecordResult[] = new Array(requests.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < requests.length; index = next++) {
        results[index] = await recordOne(requests[index] as RecordRequest, firstIds[index] as number);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
    return results;
  }

  async function record(request: RecordRequest): Promise<RecordResult> {
    const [result] = await recordAll([request]);
    if (result === undefined) throw new Error('recordAll returned no result for one request');
    return result;
  }

  async function get(id: number): Promise<AppEvent | undefined> {
    const item = await getItem(eventKey(id));
    return item === undefined ? undefined : parseEventItem(item);
  }

  async function list(query: ListQuery): Promise<ListResult> {
    const plan = planQuery(query);
    const upTo = query.cursor === undefined ? plan.to : decodeCursor(query.cursor, plan);
    const fromCursor = query.cursor !== undefined;
    const pages = await Promise.all(plan.shardKeys.map((key) => readShard(plan, key, upTo, query.limit, fromCursor)));
    const { entries, nextCursor } = mergeShards(plan, pages, query.limit);
    const items = await readByKeys(
      { client, table },
      entries.map((entry) => String(entry[ATTR.pk])),
      {
        consistent: false,
      },
    );
    const events = entries.flatMap((entry) => {
      const item = items.get(String(entry[ATTR.pk]));
      return item === undefined ? [] : [parseEventItem(item)];
    });
    return { events, nextCursor };
  }

  /** One shard's newest entries at or below `upTo`, read until `limit` match or a page bound. */
  async function readShard(
    plan: QueryPlan,
    key: string,
    upTo: string,
    limit: number,
    fromCursor: boolean,
  ): Promise<ShardPage> {
    const entries: Record<string, unknown>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    for (let page = 0; page < MAX_PAGES_PER_SHARD; page += 1) {
      const result = await queryPage(plan, key, upTo, limit, startKey, fromCursor);
      entries.push(...allFromAttributes(result.Items));
      startKey = result.LastEvaluatedKey;
      if (startKey === undefined) return { entries, stoppedAt: undefined };
      if (entries.length >= limit) break;
    }
    const stopped = fromAttributes(startKey)?.[ATTR.ts];
    return { entries, stoppedAt: typeof stopped === 'string' ? stopped : undefined };
  }

  async function queryPage(
    plan: QueryPlan,
    key: string,
    upTo: string,
    limit: number,
    startKey: Record<string, AttributeValue> | undefined,
    fromCursor: boolean,
  ) {
    try {
      return await unconditionally(() =>
        client.send(
          new QueryCommand({
            TableName: table,
            IndexName: plan.index,
            KeyConditionExpression: plan.keyCondition,
            ...(plan.filter ? { FilterExpression: plan.filter } : {}),
            ExpressionAttributeNames: plan.names,
            ExpressionAttributeValues: toAttributes({ ...plan.values, ':key': key, ':to': upTo }),
            ScanIndexForward: false,
            Limit: limit,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
    } catch (error) {
      // A key condition DynamoDB refuses can only have come from the client's cursor.
      if (fromCursor && error instanceof Error && error.name === 'ValidationException') throw invalidCursor();
      throw error;
    }
  }

  return { recordAll, record, get, list, ...pendingOperations({ client, table, now, redeliveryWindowSeconds }) };
}
