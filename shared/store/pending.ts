// The publishing state of stored events: the pending mark, failed attempts, and the byPending index
// the redrive reads. I/O only; the item rules live in items.ts.

import { type DynamoDBClient, GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { allFromAttributes, conditionally, fromAttributes, toAttributes, unconditionally } from './client';
import { isDue, isPending, parseEventItem, publishAttempts } from './items';
import { ATTR, eventKey, PENDING, PENDING_INDEX } from './schema';
import type { EventStore, PendingEvent } from './types';

interface PendingContext {
  client: DynamoDBClient;
  table: string;
  /** Unix milliseconds. */
  now: () => number;
}

type PendingOperations = Pick<EventStore, 'markPublished' | 'markPublishFailed' | 'pendingEvents' | 'backlog'>;

const NAMES = {
  '#pk': ATTR.pk,
  '#pending': ATTR.pending,
  '#attempts': ATTR.publishAttempts,
  '#retryAt': ATTR.retryAt,
  '#publishedAt': ATTR.publishedAt,
};

export function pendingOperations({ client, table, now }: PendingContext): PendingOperations {
  async function markPublished(id: number): Promise<void> {
    await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
          UpdateExpression: 'REMOVE #pending, #attempts, #retryAt SET #publishedAt = :now',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: toAttributes({ ':now': Math.floor(now() / 1000) }),
        }),
      ),
    );
  }

  async function markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void> {
    // Refused when the event was published meanwhile (by the webhook's own late publish): nothing to record.
    await conditionally(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
          UpdateExpression: 'SET #attempts = :attempts, #retryAt = :retryAt',
          ConditionExpression: '#pending = :pending',
          ExpressionAttributeNames: {
            '#pending': ATTR.pending,
            '#attempts': ATTR.publishAttempts,
            '#retryAt': ATTR.retryAt,
          },
          ExpressionAttributeValues: toAttributes({ ':attempts': attempts, ':retryAt': retryAt, ':pending': PENDING }),
        }),
      ),
    );
  }

  function queryPending(extra: Partial<ConstructorParameters<typeof QueryCommand>[0]>) {
    return unconditionally(() =>
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: PENDING_INDEX,
          KeyConditionExpression: '#pending = :pending',
          ExpressionAttributeNames: { '#pending': ATTR.pending },
          ExpressionAttributeValues: toAttributes({ ':pending': PENDING }),
          ScanIndexForward: true,
          ...extra,
        }),
      ),
    );
  }

  async function pendingEvents(query: { maxId: number; limit: number; startAfter?: number }) {
    const page = await queryPending({
      KeyConditionExpression: '#pending = :pending AND #id <= :maxId',
      ExpressionAttributeNames: { '#pending': ATTR.pending, '#id': ATTR.id },
      ExpressionAttributeValues: toAttributes({ ':pending': PENDING, ':maxId': query.maxId }),
      Limit: query.limit,
      ...(query.startAfter === undefined
        ? {}
        : {
            ExclusiveStartKey: toAttributes({
              [ATTR.pending]: PENDING,
              [ATTR.id]: query.startAfter,
              [ATTR.pk]: eventKey(query.startAfter),
            }),
          }),
    });
    const nowMs = now();
    const dueIds = allFromAttributes(page.Items)
      .filter((entry) => isDue(entry, nowMs))
      .map((entry) => entry[ATTR.id])
      .filter((id): id is number => typeof id === 'number');
    const due: PendingEvent[] = [];
    for (const id of dueIds) {
      const result = await unconditionally(() =>
        client.send(
          new GetItemCommand({
            TableName: table,
            Key: toAttributes({ [ATTR.pk]: eventKey(id) }),
            ConsistentRead: true,
          }),
        ),
      );
      const item = fromAttributes(result.Item);
      if (item === undefined || !isPending(item)) continue;
      due.push({ record: parseEventItem(item), attempts: publishAttempts(item) });
    }
    const lastKey = fromAttributes(page.LastEvaluatedKey);
    const last = lastKey?.[ATTR.id];
    return { due, last: typeof last === 'number' ? last : undefined };
  }

  async function backlog(cap: number) {
    let count = 0;
    let start: ReturnType<typeof toAttributes> | undefined;
    do {
      const page = await queryPending({ Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) });
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined && count < cap);
    const oldest = await queryPending({ Limit: 1 });
    const first = allFromAttributes(oldest.Items)[0]?.[ATTR.id];
    return { count, capped: start !== undefined, oldestId: typeof first === 'number' ? first : undefined };
  }

  return { markPublished, markPublishFailed, pendingEvents, backlog };
}
