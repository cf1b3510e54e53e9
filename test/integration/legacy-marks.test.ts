// Upgrading a table an earlier release wrote (the pending mark on the event item): npm run remark's
// scan marks exactly the events still pending under the old mark, and the redrive then publishes
// them, against the embedded DynamoDB.

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { remarkLegacyPending } from '../../scripts/lib/legacy-marks';
import { redrive } from '../../shared/publishing/redrive';
import { createDynamoTable } from '../../shared/store/dynamo';
import { eventItem } from '../../shared/store/items';
import { recordingStore } from '../../shared/store/recording';
import { deliveryItemKey, pendingKey } from '../../shared/store/schema';
import { TABLE, useTestTable } from '../support/dynamo';
import { quiet } from '../support/pipeline';
import { plainRecord } from '../support/records';

const table = useTestTable();

describe('npm run remark', () => {
  it('marks the events an earlier release left pending, and the redrive publishes them', async () => {
    // As the earlier release wrote them: two still pending, one published (its mark cleared), and a delivery item.
    const legacy = (id: number, pending: boolean) => ({
      ...eventItem(plainRecord(id), { delivery: undefined }),
      ...(pending ? { pending: pendingKey(id) } : { published_at: 1_790_000_000 }),
    });
    for (const item of [legacy(101, true), legacy(102, false), legacy(103, true)]) {
      await table.doc.send(new PutCommand({ TableName: TABLE, Item: JSON.parse(JSON.stringify(item)) }));
    }
    await table.doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: deliveryItemKey('confgo', 'k'), event_id: 101, expires_at: 1, pending: 'not an event' },
      }),
    );
    const report = await remarkLegacyPending(table.client, TABLE);
    expect(report.scanned).toBe(4);
    expect(report.marked.sort()).toEqual([101, 103]);
    expect((await table.marks()).map((mark) => mark.id).sort()).toEqual([101, 103]);

    const published: number[] = [];
    const now = () => Date.UTC(2026, 11, 1);
    const store = recordingStore(createDynamoTable({ client: table.client, table: TABLE, now }), {
      ids: { next: () => 1 },
      now,
      redeliveryWindowSeconds: 3600,
      publishing: true,
    });
    const publisher = {
      publish: async (record: { id: number }) => {
        published.push(record.id);
      },
      close: async () => undefined,
    };
    expect(await redrive({ store, publisher, logger: quiet, now, timeLeft: () => true })).toMatchObject({
      published: 2,
      backlog: 0,
    });
    expect(published.sort()).toEqual([101, 103]);
    expect(await table.marks()).toEqual([]);
    expect(await store.get(101)).toEqual(plainRecord(101));
  });
});
