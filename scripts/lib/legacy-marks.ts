// Upgrading a table written by a release that kept the pending mark on the event item (`pending`,
// in a byPending index): each event that still carries it was never published, so it gets a mark in
// the pending table, and the redrive publishes it as any other. One scan of the events table; an
// event marked already is marked again, which costs at most one more publish of it.

import { type AttributeValue, type DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { allFromAttributes } from '../../shared/store/client';
import { putMarkInput } from '../../shared/store/commands';
import { ATTR, pendingTableName } from '../../shared/store/schema';

/** The attribute the earlier releases marked a pending event with. */
export const LEGACY_PENDING = 'pending';

export interface RemarkReport {
  /** Items the scan read. */
  scanned: number;
  /** Events that carried the earlier mark and now have a pending mark. */
  marked: number[];
}

export async function remarkLegacyPending(client: DynamoDBClient, table: string): Promise<RemarkReport> {
  const report: RemarkReport = { scanned: 0, marked: [] };
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'attribute_exists(#pending) AND begins_with(#pk, :event)',
        ProjectionExpression: '#id, #expires',
        ExpressionAttributeNames: {
          '#pending': LEGACY_PENDING,
          '#pk': ATTR.pk,
          '#id': ATTR.id,
          '#expires': ATTR.expiresAt,
        },
        ExpressionAttributeValues: { ':event': { S: 'E#' } },
        ExclusiveStartKey: start,
      }),
    );
    report.scanned += page.ScannedCount ?? 0;
    for (const item of allFromAttributes(page.Items)) {
      const id = item[ATTR.id];
      const expiresAt = item[ATTR.expiresAt];
      if (typeof id !== 'number') continue;
      const expiry = typeof expiresAt === 'number' ? expiresAt : undefined;
      await client.send(new PutItemCommand(putMarkInput(pendingTableName(table), id, expiry)));
      report.marked.push(id);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return report;
}
