// Every request the store sends, as a pure builder: the command's input with its key, its condition
// and its values. No I/O: dynamo.ts and pending.ts send what these return.

import type {
  AttributeValue,
  BatchGetItemCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  QueryCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AppEvent } from '../event/record';
import { toAttributes } from './client';
import { deliveryItem, eventItem } from './items';
import type { QueryPlan } from './query';
import { ATTR, eventKey, PENDING_INDEX } from './schema';
import type { DeliveryClaim } from './types';

/** Reads one item, strongly consistent (the protocol decides on what it reads). */
export function getItemInput(table: string, pk: string): GetItemCommandInput {
  return { TableName: table, Key: toAttributes({ [ATTR.pk]: pk }), ConsistentRead: true };
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
  marks: { delivery: string | undefined; pending: boolean },
  expiresAt?: number,
): PutItemCommandInput {
  return {
    TableName: table,
    Item: toAttributes(eventItem(record, { ...marks, expiresAt })),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': ATTR.pk },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Clears an event's pending mark and records when it was published. */
export function markPublishedInput(table: string, id: number, nowSeconds: number): UpdateItemCommandInput {
  return {
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
    ExpressionAttributeValues: toAttributes({ ':now': nowSeconds }),
  };
}

/** Records a failed publish, only while the event is still pending (a late publish may have cleared it). */
export function markPublishFailedInput(
  table: string,
  id: number,
  attempts: number,
  retryAt: number,
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
    UpdateExpression: 'SET #attempts = :attempts, #retryAt = :retryAt',
    ConditionExpression: 'attribute_exists(#pending)',
    ExpressionAttributeNames: { '#pending': ATTR.pending, '#attempts': ATTR.publishAttempts, '#retryAt': ATTR.retryAt },
    ExpressionAttributeValues: toAttributes({ ':attempts': attempts, ':retryAt': retryAt }),
  };
}

/** One page of one shard of the pending index, oldest first, ids up to `maxId`. */
export function pendingShardInput(
  table: string,
  shardKey: string,
  page: { maxId?: number; limit?: number; afterId?: number | undefined; count?: boolean },
  startKey?: Record<string, AttributeValue>,
): QueryCommandInput {
  const bounded = page.maxId !== undefined;
  const after =
    page.afterId === undefined
      ? startKey
      : toAttributes({ [ATTR.pending]: shardKey, [ATTR.id]: page.afterId, [ATTR.pk]: eventKey(page.afterId) });
  return {
    TableName: table,
    IndexName: PENDING_INDEX,
    KeyConditionExpression: bounded ? '#pending = :pending AND #id <= :maxId' : '#pending = :pending',
    ExpressionAttributeNames: { '#pending': ATTR.pending, ...(bounded ? { '#id': ATTR.id } : {}) },
    ExpressionAttributeValues: toAttributes({ ':pending': shardKey, ...(bounded ? { ':maxId': page.maxId } : {}) }),
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
