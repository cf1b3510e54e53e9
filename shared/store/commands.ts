// Every request the store sends, as a pure builder: the command's input with its key, its condition
// and its values. No I/O: dynamo.ts and pending.ts send what these return.

import type {
  AttributeValue,
  BatchGetItemCommandInput,
  DeleteItemCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  QueryCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AppEvent } from '../event/record';
import { toAttributes } from './client';
import { closedIdItem, deliveryItem, eventItem, pendingMarkItem, pendingMarkKey } from './items';
import type { QueryPlan } from './query';
import { ATTR } from './schema';
import type { DeliveryClaim } from './types';

/** Reads one item by its `pk` (or its whole key), strongly consistent (the protocol decides on what it reads). */
export function getItemInput(table: string, key: string | Record<string, unknown>): GetItemCommandInput {
  return {
    TableName: table,
    Key: toAttributes(typeof key === 'string' ? { [ATTR.pk]: key } : key),
    ConsistentRead: true,
  };
}

/** Claims a delivery key: written unless a claim that is still live at `nowSeconds` holds it. */
export function claimDeliveryInput(table: string, claim: DeliveryClaim, nowSeconds: number): PutItemCommandInput {
  return {
    TableName: table,
    Item: toAttributes(deliveryItem(claim.pk, claim.eventId, claim.expiresAt)),
    ConditionExpression: 'attribute_not_exists(#pk) OR #expires < :now',
    ExpressionAttributeNames: { '#pk': ATTR.pk, '#expires': ATTR.expiresAt },
    ExpressionAttributeValues: toAttributes({ ':now': nowSeconds }),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Moves a claim from one event id to another, only while it names the first. */
export function repointDeliveryInput(table: string, pk: string, from: number, to: number): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: toAttributes({ [ATTR.pk]: pk }),
    UpdateExpression: 'SET #eventId = :to',
    ConditionExpression: '#eventId = :from',
    ExpressionAttributeNames: { '#eventId': ATTR.eventId },
    ExpressionAttributeValues: toAttributes({ ':to': to, ':from': from }),
  };
}

/** Writes an event at its id, never over another item; `expiresAt` (unix seconds) when it has a retention. */
export function putEventInput(
  table: string,
  record: AppEvent,
  delivery: string | undefined,
  expiresAt?: number,
): PutItemCommandInput {
  return {
    TableName: table,
    Item: toAttributes(eventItem(record, { delivery, expiresAt })),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': ATTR.pk },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Closes id `id` for good, unless an item (an event, or the id closed before) is there. */
export function closeIdInput(table: string, id: number, nowSeconds: number): PutItemCommandInput {
  return {
    TableName: table,
    Item: toAttributes(closedIdItem(id, nowSeconds)),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': ATTR.pk },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Marks event `id` pending in the pending table. Unconditional: a second mark of the same event (a
 * redelivery completing it) is the same item, and at worst one more publish of a stored event.
 */
export function putMarkInput(pendingTable: string, id: number, expiresAt?: number): PutItemCommandInput {
  return { TableName: pendingTable, Item: toAttributes(pendingMarkItem(id, expiresAt)) };
}

/** Deletes event `id`'s pending mark. */
export function deleteMarkInput(pendingTable: string, id: number): DeleteItemCommandInput {
  return { TableName: pendingTable, Key: toAttributes(pendingMarkKey(id)) };
}

/** Records a failed publish, only while the mark is there (a late publish may have deleted it). */
export function markPublishFailedInput(
  pendingTable: string,
  id: number,
  attempts: number,
  retryAt: number,
): UpdateItemCommandInput {
  return {
    TableName: pendingTable,
    Key: toAttributes(pendingMarkKey(id)),
    UpdateExpression: 'SET #attempts = :attempts, #retryAt = :retryAt',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#pk': ATTR.pk, '#attempts': ATTR.publishAttempts, '#retryAt': ATTR.retryAt },
    ExpressionAttributeValues: toAttributes({ ':attempts': attempts, ':retryAt': retryAt }),
  };
}

/** One page of one shard of the pending table, oldest first, ids up to `maxId`. */
export function pendingShardInput(
  pendingTable: string,
  shardKey: string,
  page: { maxId?: number; limit?: number; afterId?: number | undefined; count?: boolean },
  startKey?: Record<string, AttributeValue>,
): QueryCommandInput {
  const bounded = page.maxId !== undefined;
  const after = page.afterId === undefined ? startKey : toAttributes({ [ATTR.pk]: shardKey, [ATTR.id]: page.afterId });
  return {
    TableName: pendingTable,
    KeyConditionExpression: bounded ? '#pk = :shard AND #id <= :maxId' : '#pk = :shard',
    ExpressionAttributeNames: { '#pk': ATTR.pk, ...(bounded ? { '#id': ATTR.id } : {}) },
    ExpressionAttributeValues: toAttributes({ ':shard': shardKey, ...(bounded ? { ':maxId': page.maxId } : {}) }),
    ScanIndexForward: true,
    ...(page.limit === undefined ? {} : { Limit: page.limit }),
    ...(page.count ? { Select: 'COUNT' } : {}),
    ...(after === undefined ? {} : { ExclusiveStartKey: after }),
  };
}

/** One page of one shard of a listing, newest first, at or below the sort key `upTo`. */
export function listingPageInput(
  table: string,
  plan: QueryPlan,
  shardKey: string,
  page: { upTo: string; limit: number },
  startKey: Record<string, AttributeValue> | undefined,
): QueryCommandInput {
  return {
    TableName: table,
    IndexName: plan.index,
    KeyConditionExpression: plan.keyCondition,
    ...(plan.filter ? { FilterExpression: plan.filter } : {}),
    ExpressionAttributeNames: plan.names,
    ExpressionAttributeValues: toAttributes({ ...plan.values, ':key': shardKey, ':to': page.upTo }),
    ScanIndexForward: false,
    Limit: page.limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** BatchGetItem takes at most 100 keys a call. */
export const BATCH_GET_KEYS = 100;

/** Reads up to 100 items by key. */
export function batchGetInput(
  table: string,
  keys: Record<string, AttributeValue>[],
  consistent: boolean,
): BatchGetItemCommandInput {
  return { RequestItems: { [table]: { Keys: keys, ConsistentRead: consistent } } };
}
