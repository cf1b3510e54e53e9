// The store's two conditional writes, against the embedded DynamoDB: id collisions, redeliveries
// after a crash between the writes, and expired redelivery deliveries.

import { createHmac } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import { DEFAULT_REDELIVERY_WINDOW_SECONDS } from '../../shared/config/types';
import type { IdGenerator } from '../../shared/event/ids';
import type { EventDraft } from '../../shared/event/record';
import { assemble, routeHandler } from '../../shared/runtime';
import { createDynamoStore } from '../../shared/store/dynamo';
import { deliveryItemKey } from '../../shared/store/schema';
import { SECRETS, TEST_CONFIG } from '../support/config';
import { startTestTable, TABLE, type TestTable } from '../support/dynamo';
import { invoke } from '../support/http';
import { quiet } from '../support/pipeline';

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

  it('writes a new delivery and its event side by side, and a redelivery removes the event it wrote', async () => {
    const first = await store(scriptedIds(1500)).record({ draft: draft('a'), deliveryKey: 'side-by-side' });
    expect(first).toMatchObject({ record: { id: 1500 }, duplicate: false });
    const again = await store(scriptedIds(1600)).record({ draft: draft('a'), deliveryKey: 'side-by-side' });
    expect(again).toMatchObject({ record: { id: 1500 }, duplicate: true, pending: false });
    // The redelivery's own write of E#1600 is gone: one event, one delivery item.
    expect((await table.events()).map((e) => e.id)).toEqual([1500]);
    expect((await table.items()).filter((item) => String(item.pk).startsWith('D#'))).toHaveLength(1);
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

  it('records a delivery again once its delivery item has expired', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    await store(scriptedIds(6000), () => t0).record({ draft: draft('d'), deliveryKey: 'delivery-3' });
    const later = () => t0 + (DEFAULT_REDELIVERY_WINDOW_SECONDS + 1) * 1000;
    const result = await store(scriptedIds(7000), later).record({ draft: draft('d'), deliveryKey: 'delivery-3' });
    expect(result).toMatchObject({ record: { id: 7000 }, duplicate: false });
    const deliveries = (await table.items()).filter((item) => String(item.pk).startsWith('D#'));
    expect(deliveries).toEqual([
      {
        pk: expect.any(String),
        event_id: 7000,
        expires_at: Math.floor(later() / 1000) + DEFAULT_REDELIVERY_WINDOW_SECONDS,
      },
    ]);
  });

  it('keeps deliveries of different sources apart', async () => {
    const s = store(scriptedIds(8000, 8001));
    await s.record({ draft: draft('e'), deliveryKey: 'same-key' });
    const devops = await s.record({
      draft: { ...draft('e'), source: 'devops', operation: 'devops_deploy' },
      deliveryKey: 'same-key',
    });
    expect(devops.duplicate).toBe(false);
    expect(await table.events()).toHaveLength(2);
  });

  it('records the events of one body with ids in body order, at most 32 writes at a time', async () => {
    const s = store(scriptedIds(9001, 9002, 9003, 9004, 9005));
    const results = await s.recordAll(
      ['a', 'b', 'c', 'd', 'e'].map((app) => ({ draft: draft(app), deliveryKey: app })),
    );
    expect(results.map((r) => [r.record.app_name, r.record.id])).toEqual([
      ['a', 9001],
      ['b', 9002],
      ['c', 9003],
      ['d', 9004],
      ['e', 9005],
    ]);
  });
});

describe('legacy Grafana alerts', () => {
  const legacy = JSON.stringify({
    title: '[Alerting] CPU high',
    ruleId: 7,
    ruleName: 'CPU high',
    state: 'alerting',
    evalMatches: null,
    tags: { app: 'legacy-svc' },
  });

  it('drop a retry of the same body within 10 minutes, and record a new episode after that', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const config = parseConfig(TEST_CONFIG.replace(/timestampHeader = .*\n/, ''), { file: 'legacy.toml', env: {} });
    const runtime = assemble(config, { client: table.client, publisher: undefined, logger: quiet, now: () => clock });
    const handler = routeHandler('grafana', runtime);
    const post = () =>
      invoke(handler, {
        path: '/webhooks/grafana',
        body: legacy,
        headers: {
          'content-type': 'application/json',
          'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana).update(legacy).digest('hex'),
        },
      });
    const first = await post();
    clock += 9 * 60_000;
    const retry = await post();
    clock += 2 * 60_000;
    const episode = await post();
    const outcome = (r: Awaited<ReturnType<typeof post>>) => (r.body as { events: { duplicate: boolean }[] }).events[0];
    expect([first.status, retry.status, episode.status]).toEqual([202, 202, 202]);
    expect([outcome(first)?.duplicate, outcome(retry)?.duplicate, outcome(episode)?.duplicate]).toEqual([
      false,
      true,
      false,
    ]);
    expect(await table.events()).toHaveLength(2);
  });
});

describe('the redrive finishing what a stopped webhook left', () => {
  function publishingStore(ids: IdGenerator) {
    return createDynamoStore({
      client: table.client,
      table: TABLE,
      ids,
      publishing: true,
      redeliveryWindowSeconds: DEFAULT_REDELIVERY_WINDOW_SECONDS,
    });
  }
  const due = async (s: ReturnType<typeof publishingStore>) =>
    (await s.pendingEvents({ maxId: Number.MAX_SAFE_INTEGER, limit: 100 })).due.map((e) => e.record.id);

  it('deletes, never publishes, an event whose delivery item names another event', async () => {
    const s = publishingStore(scriptedIds(7100));
    await s.record({ draft: draft('a'), deliveryKey: 'leftover' });
    // What a redelivery leaves when it stops between its side-by-side writes and the clean-up.
    const item = (await table.items()).find((i) => i.pk === 'E#7100') ?? {};
    await table.doc.send(new PutCommand({ TableName: TABLE, Item: { ...item, pk: 'E#7200', id: 7200 } }));
    expect(await due(s)).toEqual([7100]);
    expect((await table.events()).map((e) => e.id)).toEqual([7100]);
  });

  it('gives an event whose delivery item was never written one, so a later redelivery records nothing', async () => {
    const s = publishingStore(scriptedIds(7300));
    await s.record({ draft: draft('b'), deliveryKey: 'no-delivery-item' });
    const deliveryPk = deliveryItemKey('confgo', 'no-delivery-item');
    // What a webhook leaves when it stops after its event write but before its delivery item.
    await table.doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: deliveryPk } }));
    expect(await due(s)).toEqual([7300]);
    const delivery = (await table.items()).find((i) => i.pk === deliveryPk);
    expect(delivery?.event_id).toBe(7300);
    const again = await publishingStore(scriptedIds(7400)).record({
      draft: draft('b'),
      deliveryKey: 'no-delivery-item',
    });
    expect(again).toMatchObject({ record: { id: 7300 }, duplicate: true });
    expect((await table.events()).map((e) => e.id)).toEqual([7300]);
  });
});
