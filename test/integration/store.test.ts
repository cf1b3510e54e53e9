// The recording protocol against the embedded DynamoDB: id collisions, redeliveries after a crash
// between the claim and the write, expired windows, and the breaks an audit found in an earlier
// protocol (kept as regressions).

import { createHmac } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import { DEFAULT_REDELIVERY_WINDOW_SECONDS } from '../../shared/config/types';
import type { IdGenerator } from '../../shared/event/ids';
import { completeRecord, type EventDraft } from '../../shared/event/record';
import { RETRY_AFTER_SECONDS } from '../../shared/http/function';
import { redrive } from '../../shared/publishing/redrive';
import { assemble, functionHandler, redriveWith } from '../../shared/runtime';
import { shapeGitLab } from '../../shared/sources/git/gitlab';
import { createDynamoTable } from '../../shared/store/dynamo';
import { recordingStore } from '../../shared/store/recording';
import { deliveryItemKey } from '../../shared/store/schema';
import type { TableOperations } from '../../shared/store/types';
import { API_TOKEN, fixture, SECRETS, TEST_CONFIG } from '../support/config';
import { TABLE, useTestTable } from '../support/dynamo';
import { httpApiEvent, invoke, lambdaContext } from '../support/http';
import { quiet } from '../support/pipeline';

const table = useTestTable();

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
  return recordingStore(createDynamoTable({ client: table.client, table: TABLE, now }), {
    ids,
    now,
    redeliveryWindowSeconds: DEFAULT_REDELIVERY_WINDOW_SECONDS,
    publishing: false,
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

  it('claims a new delivery, then writes its event; a redelivery writes nothing of its own', async () => {
    const first = await store(scriptedIds(1500)).record({ draft: draft('a'), deliveryKey: 'claim-first' });
    expect(first).toMatchObject({ record: { id: 1500 }, duplicate: false });
    const again = await store(scriptedIds(1600)).record({ draft: draft('a'), deliveryKey: 'claim-first' });
    expect(again).toMatchObject({ record: { id: 1500 }, duplicate: true, pending: false });
    // Nothing was ever written at 1600: one event, one delivery item.
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

describe('retention and compact metadata', () => {
  const now = Date.UTC(2026, 10, 28);
  const runtimeWith = (retention: string | undefined) => {
    const text = TEST_CONFIG.replace(
      '[junoevent]\n',
      `[junoevent]\n${retention ? `retention = "${retention}"\n` : ''}`,
    );
    const config = parseConfig(text, { file: 'storage.toml', env: {} });
    return assemble(config, { client: table.client, publisher: undefined, logger: quiet, now: () => now });
  };
  const push = async (runtime: ReturnType<typeof runtimeWith>, body: string) => {
    const response = await invoke(functionHandler('git', runtime), {
      path: '/webhooks/git',
      body,
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRETS.git },
    });
    expect(response.status).toBe(202);
    return (response.body as { events: { id: number }[] }).events[0]?.id ?? 0;
  };
  const rawEvent = async (id: number) => (await table.items()).find((item) => item.pk === `E#${id}`) ?? {};

  it('gives every event expires_at = write time + retention when set, and none when not', async () => {
    const body = fixture('git/gitlab_push_hook.json');
    const kept = await push(runtimeWith('2160h'), body);
    const forever = await push(runtimeWith(undefined), body.replace('"before"', '"note": "again", "before"'));
    expect((await rawEvent(kept)).expires_at).toBe(now / 1000 + 90 * 24 * 3600);
    expect(await rawEvent(forever)).not.toHaveProperty('expires_at');
    // The delivery items keep their own, shorter expiry: the redelivery window from the claim.
    const deliveries = (await table.items()).filter((item) => String(item.pk).startsWith('D#'));
    expect(deliveries).toHaveLength(2);
    for (const item of deliveries) expect(item.expires_at).toBe(now / 1000 + DEFAULT_REDELIVERY_WINDOW_SECONDS);
    expect(await runtimeWith('2160h').store.get(kept)).toMatchObject({ id: kept, operation: 'git_push' });
  });

  it('stores a large push metadata as a Binary, and GET and the listing return the identical text', async () => {
    const body = fixture('git/gitlab_push_hook_large.json');
    const runtime = runtimeWith(undefined);
    const shaped = shapeGitLab('Push Hook', JSON.parse(body), {
      projects: runtime.config.sources.git?.projects ?? new Map(),
      metadataBudget: runtime.config.metadataBudget,
      nowSeconds: now / 1000,
      deliveryKey: undefined,
    });
    const metadata = 'events' in shaped ? (shaped.events[0]?.draft.metadata ?? '') : '';
    expect(Buffer.byteLength(metadata)).toBeGreaterThan(32 * 1024);
    const id = await push(runtime, body);
    const stored = (await rawEvent(id)).metadata;
    expect(stored).toBeInstanceOf(Uint8Array);
    expect((stored as Uint8Array).length).toBeLessThan(Buffer.byteLength(metadata) / 10);
    const events = functionHandler('events', runtime);
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const one = await invoke(events, {
      method: 'GET',
      path: `/events/${id}`,
      routeKey: 'GET /events/{id}',
      pathParameters: { id: String(id) },
      headers: auth,
    });
    expect(one.status).toBe(200);
    expect((one.body as { metadata: string }).metadata).toBe(metadata);
    expect(one.text).toContain(JSON.stringify(metadata));
    const list = await invoke(events, { method: 'GET', path: '/events', query: { source: 'git' }, headers: auth });
    expect(list.status).toBe(200);
    const listed = (list.body as { events: { id: number; metadata: string }[] }).events.find((e) => e.id === id);
    expect(listed?.metadata).toBe(metadata);
    expect((await runtime.store.list({ app_name: 'diaspora-svc', limit: 5 })).events[0]?.metadata).toBe(metadata);
  });

  it('publishes the identical metadata text when the redrive sends a compressed event', async () => {
    const body = fixture('git/gitlab_push_hook_large.json');
    const config = parseConfig(TEST_CONFIG, { file: 'storage.toml', env: {} });
    const broker = { up: false, published: [] as { id: number; metadata: string }[] };
    const publisher = {
      publish: async (record: { id: number; metadata: string }) => {
        if (!broker.up) throw new Error('broker down');
        broker.published.push(record);
      },
      close: async () => undefined,
    };
    const runtime = assemble(config, { client: table.client, publisher, logger: quiet, now: () => now });
    const id = await push(runtime, body);
    expect((await rawEvent(id)).metadata).toBeInstanceOf(Uint8Array);
    broker.up = true;
    const later = assemble(config, { client: table.client, publisher, logger: quiet, now: () => now + 120_000 });
    expect(await redriveWith(later, { timeLeft: () => true, graceMs: 0 })).toMatchObject({ published: 1 });
    const expected = await runtime.store.get(id);
    expect(broker.published).toEqual([expect.objectContaining({ id, metadata: expected?.metadata })]);
    expect(JSON.parse(broker.published[0]?.metadata ?? '{}')).toMatchObject({ object_kind: 'push' });
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
    const handler = functionHandler('grafana', runtime);
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

describe('what a stopped or late webhook leaves (regressions)', () => {
  const window = DEFAULT_REDELIVERY_WINDOW_SECONDS;

  it('keeps a pending event when its delivery key comes round after the window, and the redrive publishes both', async () => {
    // The broker is down: the first episode's event stays pending past the window; a new episode of
    // the same key must be a new event and must not cost the older one anything.
    let clock = Date.UTC(2026, 0, 1);
    const config = parseConfig(TEST_CONFIG.replace(/timestampHeader = .*\n/, ''), { file: 'legacy.toml', env: {} });
    const broker = { up: false, published: [] as number[] };
    const publisher = {
      publish: async (record: { id: number }) => {
        if (!broker.up) throw new Error('broker down');
        broker.published.push(record.id);
      },
      close: async () => undefined,
    };
    const runtime = assemble(config, { client: table.client, publisher, logger: quiet, now: () => clock });
    const handler = functionHandler('grafana', runtime);
    const body = JSON.stringify({ title: '[Alerting] disk', ruleId: 9, ruleName: 'disk', state: 'alerting' });
    const post = async () => {
      const response = await invoke(handler, {
        path: '/webhooks/grafana',
        body,
        headers: {
          'content-type': 'application/json',
          'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana).update(body).digest('hex'),
        },
      });
      expect(response.status).toBe(202);
      return (response.body as { events: { id: number; duplicate: boolean }[] }).events[0];
    };
    const first = await post();
    clock += 10.5 * 60_000;
    const second = await post();
    expect(second?.duplicate).toBe(false);
    expect(second?.id).not.toBe(first?.id);
    broker.up = true;
    clock += 2 * 60_000;
    const report = await redriveWith(runtime, { timeLeft: () => true, graceMs: 0 });
    expect(report).toMatchObject({ published: 2, failed: 0, backlog: 0 });
    expect(broker.published.sort()).toEqual([first?.id, second?.id].sort());
    expect((await table.events()).map((e) => e.id).sort()).toEqual([first?.id, second?.id].sort());
    expect(await runtime.store.get(first?.id ?? 0)).toMatchObject({ id: first?.id });
  });

  it('closes the id of a mark whose event never came: a late write there is refused, the next copy records it once', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const ops = createDynamoTable({ client: table.client, table: TABLE, now: () => clock });
    const pk = deliveryItemKey('confgo', 'stopped');
    // A first copy claimed id 5000 and marked it pending, then stopped before writing its event.
    await ops.claimDelivery({ pk, eventId: 5000, expiresAt: clock / 1000 + window }, clock / 1000);
    await ops.putMark(5000);
    const published: number[] = [];
    const publisher = {
      publish: async (record: { id: number }) => {
        published.push(record.id);
      },
      close: async () => undefined,
    };
    const recording = recordingStore(ops, {
      ids: scriptedIds(6000, 6001),
      now: () => clock,
      redeliveryWindowSeconds: window,
      publishing: true,
    });
    const run = () => redrive({ store: recording, publisher, logger: quiet, now: () => clock, timeLeft: () => true });
    clock += 5 * 60_000;
    expect(await run()).toMatchObject({ published: 0, failed: 0, backlog: 0 });
    expect(await table.marks()).toEqual([]);
    expect(await ops.putEvent(completeRecord(draft('late'), 5000), pk)).toMatchObject({ written: false });
    expect(await ops.get(5000)).toBeUndefined();
    expect(await table.events()).toEqual([]);
    const retry = await recording.record({ draft: draft('a'), deliveryKey: 'stopped' });
    expect(retry).toMatchObject({ record: { id: 6001 }, duplicate: false, pending: true });
    expect((await table.marks()).map((mark) => mark.id)).toEqual([6001]);
    expect(await run()).toMatchObject({ published: 1, backlog: 0 });
    expect(published).toEqual([6001]);
    expect((await table.events()).map((item) => item.id)).toEqual([6001]);
  });

  it('leaves one event when a redelivery is cut off after any of its table calls, publishing off', async () => {
    const cutOffs = [0, 1, 2, 3];
    for (const cutOff of cutOffs) {
      await table.clear();
      const key = `cut-${cutOff}`;
      const first = await store(scriptedIds(20_000 + cutOff)).record({ draft: draft('a'), deliveryKey: key });
      // The redelivery's table stops answering after `cutOff` calls: the call itself happens, its
      // answer is lost, and the function stops there (a crash or a timeout).
      const cut = cutOffTable(
        createDynamoTable({ client: table.client, table: TABLE, now: () => Date.UTC(2026, 10, 28) }),
        cutOff,
      );
      const redelivery = recordingStore(cut, {
        ids: scriptedIds(30_000, 30_001, 30_002),
        now: () => Date.UTC(2026, 10, 28),
        redeliveryWindowSeconds: window,
        publishing: false,
      });
      await redelivery.record({ draft: draft('a'), deliveryKey: key }).catch(() => undefined);
      const retry = await store(scriptedIds(40_000)).record({ draft: draft('a'), deliveryKey: key });
      expect(retry).toMatchObject({ record: { id: first.record.id }, duplicate: true });
      expect((await table.events()).map((e) => e.id)).toEqual([first.record.id]);
    }
  });

  it('stores each of 20 deliveries once when 5 shuffled copies of each arrive at once, publishing off', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `copy-${i}`);
    const copies = keys.flatMap((key) => Array.from({ length: 5 }, () => key));
    for (let i = copies.length - 1; i > 0; i -= 1) {
      const j = (i * 7919) % (i + 1);
      [copies[i], copies[j]] = [copies[j] as string, copies[i] as string];
    }
    let nextId = 50_000;
    const ids = { next: () => nextId++ };
    const results = await Promise.all(copies.map((key) => store(ids).record({ draft: draft(key), deliveryKey: key })));
    const events = await table.events();
    expect(events).toHaveLength(keys.length);
    for (const key of keys) {
      const named = new Set(results.filter((r) => r.record.app_name === key).map((r) => r.record.id));
      expect(named.size).toBe(1);
      expect(events.filter((e) => e.app_name === key).map((e) => e.id)).toEqual([...named]);
    }
  });
});

describe('running out of time (regression: it answered 500)', () => {
  it('answers 503 with Retry-After, keeps what it recorded, and the retry records the rest exactly once', async () => {
    const text = TEST_CONFIG.replace(/timestampHeader = .*\n/, '').replace(
      /maxBodyBytes = \d+/,
      'maxBodyBytes = 1048576',
    );
    const config = parseConfig(text, { file: 'time.toml', env: {} });
    const runtime = assemble(config, { client: table.client, publisher: undefined, logger: quiet });
    const handler = functionHandler('grafana', runtime);
    const notification = JSON.parse(fixture('grafana/alertmanager_v4_mixed.json'));
    const [template] = notification.alerts;
    notification.alerts = Array.from({ length: 600 }, (_, n) => ({ ...template, fingerprint: `time-${n}` }));
    const body = JSON.stringify(notification);
    const event = httpApiEvent({
      path: '/webhooks/grafana',
      body,
      headers: {
        'content-type': 'application/json',
        'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana).update(body).digest('hex'),
      },
    });
    // 4 s left: the stack answers by 2.5 s, and no alert starts with less than 2 s to go.
    const cut = await handler(event, lambdaContext('junoevent-grafana', 4_000));
    expect(cut.statusCode).toBe(503);
    expect(cut.headers?.['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(JSON.parse(String(cut.body)).error.code).toBe('service_unavailable');
    // The alerts already started finish in the background (a frozen Lambda would finish them later).
    const settled = await settledCount(async () => (await table.events()).length);
    expect(settled).toBeLessThan(600);
    const retry = await handler(event, lambdaContext('junoevent-grafana'));
    expect(retry.statusCode).toBe(202);
    const answered = JSON.parse(String(retry.body)).events as { duplicate: boolean }[];
    expect(answered.filter((e) => e.duplicate)).toHaveLength(settled);
    const stored = await table.events();
    expect(stored).toHaveLength(600);
    expect(new Set(stored.map((item) => JSON.parse(String(item.metadata)).fingerprint)).size).toBe(600);
  }, 60_000);
});

/** The value `count` gives once two readings in a row agree. */
async function settledCount(count: () => Promise<number>): Promise<number> {
  let last = await count();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await count();
    if (now === last) return now;
    last = now;
  }
}

/** A table whose calls after the first `answered` happen, but whose answers are lost. */
function cutOffTable(ops: TableOperations, answered: number): TableOperations {
  let calls = 0;
  const cut =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls += 1;
      const result = await call(...args);
      if (calls > answered) throw new Error('the function stopped here');
      return result;
    };
  return {
    ...ops,
    claimDelivery: cut(ops.claimDelivery),
    readDelivery: cut(ops.readDelivery),
    repointDelivery: cut(ops.repointDelivery),
    putEvent: cut(ops.putEvent),
    readEvent: cut(ops.readEvent),
  };
}
