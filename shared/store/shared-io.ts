// The reads and conditional writes that both the request path (dynamo.ts) and the redrive (pending.ts) make.

import { BatchGetItemCommand, DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailableError } from '../errors';
import { allFromAttributes, conditionally, toAttributes, unconditionally } from './client';
import { deliveredEventId, deliveryItem } from './items';
import { ATTR, eventKey } from './schema';

export interface TableContext {
  client: DynamoDBClient;
  table: string;
}

/**
 * Writes the delivery item `pk` naming event `id` unless a live one exists (one that expires at
 * `nowSeconds` or later; with no `nowSeconds`, any). Returns the id the existing one names instead.
 */
export async function putDelivery(
  { client, table }: TableContext,
  pk: string,
  id: number,
  expiresAt: number,
  nowSeconds?: number,
): Promise<{ written: true } | { written: false; eventId: number | undefined; existing: boolean }> {
  const replaceExpired = nowSeconds !== undefined;
  const outcome = await conditionally(() =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: toAttributes(deliveryItem(pk, id, expiresAt)),
        ConditionExpression: replaceExpired
          ? 'attribute_not_exists(#pk) OR #expires < :now'
          : 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk, ...(replaceExpired ? { '#expires': ATTR.expiresAt } : {}) },
        ...(replaceExpired ? { ExpressionAttributeValues: toAttributes({ ':now': nowSeconds }) } : {}),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  if (outcome.written) return { written: true };
  return { written: false, eventId: deliveredEventId(outcome.existing), existing: outcome.existing !== undefined };
}

/** Deletes event `id` if it belongs to `delivery` and was never published (a redelivery's leftover). */
export async function discardEvent({ client, table }: TableContext, id: number, delivery: string): Promise<void> {
  await conditionally(() =>
    client.send(
      new DeleteItemCommand({
        TableName: table,
        Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
        ConditionExpression: '#delivery = :delivery AND attribute_not_exists(#publishedAt)',
        ExpressionAttributeNames: { '#delivery': ATTR.delivery, '#publishedAt': ATTR.publishedAt },
        ExpressionAttributeValues: toAttributes({ ':delivery': delivery }),
      }),
    ),
  );
}

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 5;

/**
 * The items with keys `pks`, by key: read in batches of 100 side by side, unprocessed keys asked
 * again; a 503 when some are still unread after a few attempts.
 */
export async function readByKeys(
  { client, table }: TableContext,
  pks: readonly string[],
  options: { consistent: boolean },
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const read = async (batch: readonly string[]) => {
    let keys = batch.map((pk) => toAttributes({ [ATTR.pk]: pk }));
    for (let attempt = 0; keys.length > 0 && attempt < BATCH_GET_ATTEMPTS; attempt += 1) {
      const result = await unconditionally(() =>
        client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: options.consistent } } }),
        ),
      );
      for (const item of allFromAttributes(result.Responses?.[table])) found.set(String(item[ATTR.pk]), item);
      keys = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
    if (keys.length > 0) throw new ServiceUnavailableError('the event store is busy; retry later');
  };
  const batches: string[][] = [];
  for (let i = 0; i < pks.length; i += BATCH_GET_KEYS) batches.push(pks.slice(i, i + BATCH_GET_KEYS));
  await Promise.all(batches.map(read));
  return found;
}
