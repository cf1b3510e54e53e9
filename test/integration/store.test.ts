// The store's two conditional writes, against the embedded DynamoDB: id collisions, redeliveries
// after a crash between the writes, and expired redelivery claims.

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REDELIVERY_WINDOW_SECONDS } from '../../shared/config/types';
import type { IdGenerator } from '../../shared/event/ids';
import type { EventDraft } from '../../shared/event/record';
import { createDynamoStore } from '../../shared/store/dynamo';
import { deliveryItemKey } from '../../shared/store/schema';
import { startTestTable, TABLE, type TestTable } from '../support/dynamo';

let table: TestTable;

beforeAll(async () => {
  table = await startTestTable();
});

afterAll(async () => {
  await table?.close();
});

beforeEach(async () => {
  await table.clear();
});

function draft(app_name: string): EventDraft {
  return {
    app_name,
    aid: 1,
    zone_code: 'z',
    env: 'prod',
    host_name: 'h',
    operator_type: 'user',
    user_name: 'u',
    uid: 2,
    operation: 'confgo_file_create',
    create_time: 1_795_000_000,
    source: 'confgo',
    metadata: '{}',
  };
}

/** Hands out the given ids in order. */
function scriptedIds(...values: number[]): IdGenerator {
  const queue = [...values];
  return {
    next: () => {
      const value = queue.shift();
      if (value === undefined) throw new Error('no more scripted ids');
      return value;
    },
  };
}

function store(ids: IdGenerator, now = () => Date.UTC(2026, 10, 28)) {
  return createDynamoStore({
    client: table.client,
    table: TABLE,
    ids,
    now,
    redeliveryWindowSeconds: DEFAULT_REDELIVERY_WINDOW_SECONDS,
  });
}

describe('event store', () => {
  it('detects an id drawn twice (two containers) by its conditional write and draws again', async () => {
    const first = await store(scriptedIds(1000)).record({ draft: draft('a'), deliveryKey: undefined });
    const second = await store(scriptedIds(1000, 1001)).record({ draft: draft('b'), deliveryKey: undefined });
    expect(first.record.id).toBe(1000);
    expect(second.record.id).toBe(1001);
    const events = await table.events();
    expect(events.map((e) => [e.id, e.app_name]).sort()).toEqual([
      [1000, 'a'],
      [1001, 'b'],
    ]);
  });

  it('moves the redelivery claim along when the id it held was taken', async () => {
    await store(scriptedIds(2000)).record({ draft: draft('a'), deliveryKey: undefined });
    const recorded = await store(scriptedIds(2000, 2001)).record({ draft: draft('b'), deliveryKey: 'delivery-1' });
    expect(recorded).toMatchObject({ record: { id: 2001 }, duplicate: false });
    const again = await store(scriptedIds(3000)).record({ draft: draft('b'), deliveryKey: 'delivery-1' });
    expect(again).toMatchObject({ record: { id: 2001, app_name: 'b' }, duplicate: true });
    expect(await table.events()).toHaveLength(2);
  });

  it('writes the event on redelivery when the first delivery stopped after its claim', async () => {
    // A claim with no event: what a function leaves if it dies between its two writes.
    await table.doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: deliveryItemKey('confgo', 'delivery-2'), event_id: 4000, expires_at: 4_102_444_800 },
      }),
    );
    const redelivered = await store(scriptedIds(5000)).record({ draft: draft('c'), deliveryKey: 'delivery-2' });
    expect(redelivered).toMatchObject({ record: { id: 4000, app_name: 'c' }, duplicate: false });
    expect((await table.events()).map((e) => e.id)).toEqual([4000]);
  });

  it('records a delivery again once its claim has expired', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    await store(scriptedIds(6000), () => t0).record({ draft: draft('d'), deliveryKey: 'delivery-3' });
    const later = () => t0 + (DEFAULT_REDELIVERY_WINDOW_SECONDS + 1) * 1000;
    const result = await store(scriptedIds(7000), later).record({ draft: draft('d'), deliveryKey: 'delivery-3' });
    expect(result).toMatchObject({ record: { id: 7000 }, duplicate: false });
    const claims = (await table.items()).filter((item) => String(item.pk).startsWith('D#'));
    expect(claims).toEqual([
      {
        pk: expect.any(String),
        event_id: 7000,
        expires_at: Math.floor(later() / 1000) + DEFAULT_REDELIVERY_WINDOW_SECONDS,
      },
    ]);
  });

  it('keeps claims of different sources apart', async () => {
    const s = store(scriptedIds(8000, 8001));
    await s.record({ draft: draft('e'), deliveryKey: 'same-key' });
    const devops = await s.record({
      draft: { ...draft('e'), source: 'devops', operation: 'devops_deploy' },
      deliveryKey: 'same-key',
    });
    expect(devops.duplicate).toBe(false);
    expect(await table.events()).toHaveLength(2);
  });
});
