// The conditional writes that both the request path (dynamo.ts) and the redrive (pending.ts) make.

import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { conditionally, toAttributes } from './client';
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
