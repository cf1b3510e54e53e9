// Replay over the real store (an in-process dynalite): bounded runs with resume tokens publish
// exactly the stored events of a range, and leave every item of the table as it was — events,
// delivery items, pending marks. Against the real broker (JUNOEVENT_TEST_BROKER): the messages on
// the topic are exactly those events, each carrying the replay's id, and `npm run tail` prints them
// one line each, telling a replay from a first delivery.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import type { Source } from '../../shared/event/catalog';
import { type AppEvent, type EventDraft, recordJson } from '../../shared/event/record';
import type { ReplayReport } from '../../shared/publishing/replay';
import { parseReplayRequest, type ReplayRequest } from '../../shared/publishing/replay-request';
import type { Publisher, PublishOptions } from '../../shared/publishing/types';
import { assemble, type Runtime, replayWith } from '../../shared/runtime';
import { createDynamoClient } from '../../shared/store/client';
import { BROKER, ROCKETMQ_CONFIG, receiveKeys, startConsumer } from '../support/broker';
import { SECRETS, TEST_CONFIG, writeConfig } from '../support/config';
import { startTestTable, type TestTable } from '../support/dynamo';
import { invoke, signStandard } from '../support/http';
import { envelopeHandler, quiet } from '../support/pipeline';

const ROOT = resolve(__dirname, '..', '..');
const run = promisify(execFile);
const T0 = Math.floor(Date.now() / 1000) - 24 * 3600;
/** The replay function's key that signs resume tokens. */
const KEY = 'k'.repeat(43);

/** 24 events, one every 10 minutes from T0: three apps, every source. */
function drafts(): EventDraft[] {
  const kinds: [Source, EventDraft['operation']][] = [
    ['confgo', 'confgo_file_publish'],
    ['devops', 'devops_deploy'],
    ['grafana', 'grafana_alert_notification'],
    ['git', 'git_push'],
  ];
  return Array.from({ length: 24 }, (_, i) => {
    const [source, operation] = kinds[i % kinds.length] ?? ['confgo', 'confgo_file_publish'];
    return {
      app_name: `replay-${i % 3}`,
      aid: i,
      zone_code: 'z1',
      env: i % 2 ? 'prod' : 'staging',
      host_name: `h${i}`,
      operator_type: 'user',
      user_name: 'u',
      uid: 1,
      operation,
      create_time: T0 + i * 600,
      source,
      metadata: JSON.stringify({ n: i }),
    };
  });
}

function recordingPublisher() {
  const published: { record: AppEvent; options: PublishOptions | undefined }[] = [];
  const publisher: Publisher = {
    publish: async (record, options) => {
      published.push({ record, options });
    },
    close: async () => undefined,
  };
  return { publisher, published };
}

/** Runs a replay to its end in bounded runs, each resumed from the last run's token. */
async function replayToEnd(runtime: Runtime, input: Record<string, unknown>): Promise<ReplayReport[]> {
  const reports: ReplayReport[] = [];
  let request: ReplayRequest = parseReplayRequest(input, KEY);
  for (let run = 0; run < 50; run += 1) {
    const report = await replayWith(runtime, request, () => true, KEY);
    reports.push(report);
    if (report.resume === null) return reports;
    request = parseReplayRequest({ resume: report.resume, max_events: input.max_events }, KEY);
  }
  throw new Error('replay did not finish in 50 runs');
}

describe('replay over the stored events', () => {
  let table: TestTable;
  let stored: AppEvent[] = [];
  const recording = recordingPublisher();
  let runtime: Runtime;

  beforeAll(async () => {
    table = await startTestTable();
    const config = parseConfig(ROCKETMQ_CONFIG, { file: 'replay.toml', env: {} });
    runtime = assemble(config, {
      client: createDynamoClient({ DYNAMODB_ENDPOINT: table.endpoint }),
      publisher: recording.publisher,
      logger: quiet,
    });
  });
  afterAll(async () => {
    await table?.close();
  });
  beforeEach(async () => {
    await table.clear();
    recording.published.length = 0;
    // Stored with publishing on and a delivery key each: pending marks and delivery items in the table.
    const results = await runtime.store.recordAll(drafts().map((draft, i) => ({ draft, deliveryKey: `d-${i}` })));
    stored = results.map((result) => result.record);
    // Half of them published already; the rest still pending.
    for (const record of stored.filter((_, i) => i % 2 === 0)) await runtime.store.markPublished(record.id);
  });

  const idsIn = (keep: (e: AppEvent) => boolean) =>
    stored
      .filter(keep)
      .map((e) => e.id)
      .sort();

  it('publishes exactly the events of the range, over bounded runs, and changes nothing in the table', async () => {
    const before = await table.items();
    const since = T0 + 3 * 600;
    const until = T0 + 17 * 600;
    const reports = await replayToEnd(runtime, { since, until, max_events: 4 });
    const want = idsIn((e) => e.create_time >= since && e.create_time <= until);
    expect(want).toHaveLength(15);
    expect(recording.published.map((p) => p.record.id).sort()).toEqual(want);
    const replayId = reports[0]?.replay_id;
    expect(replayId).toMatch(/^rp-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(recording.published.every((p) => p.options?.properties?.replay_id === replayId)).toBe(true);
    expect(reports.length).toBeGreaterThanOrEqual(4);
    expect(reports.at(-1)).toMatchObject({ done: true, total: 15, replay_id: replayId });
    // What was published is the stored record, byte for byte.
    for (const { record } of recording.published) {
      expect(recordJson(record)).toBe(recordJson(stored.find((e) => e.id === record.id) as AppEvent));
    }
    expect(await table.items()).toEqual(before);
  });

  it('narrows by app, source, operation and env like the read API', async () => {
    await replayToEnd(runtime, { app_name: 'replay-1', source: 'grafana', since: 0, max_events: 2 });
    expect(recording.published.map((p) => p.record.id).sort()).toEqual(
      idsIn((e) => e.app_name === 'replay-1' && e.source === 'grafana'),
    );
    recording.published.length = 0;
    await replayToEnd(runtime, { operation: 'git_push', env: 'prod', since: 0 });
    expect(recording.published.map((p) => p.record.id).sort()).toEqual(
      idsIn((e) => e.operation === 'git_push' && e.env === 'prod'),
    );
  });

  it('npm run replay signs its tokens with the local replay key and refuses one changed since', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-replay-'));
    const replayScript = (...args: string[]) =>
      run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/replay.ts', ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          JUNOEVENT_CONFIG: writeConfig(TEST_CONFIG),
          JUNOEVENT_DATA_DIR: dataDir,
          DYNAMODB_ENDPOINT: table.endpoint,
        },
      });
    const { stdout } = await replayScript(
      '--app',
      'replay-1',
      '--since',
      '0',
      '--dry-run',
      '--max-events',
      '2',
      '--once',
    );
    const first = JSON.parse(stdout) as ReplayReport;
    expect(first).toMatchObject({ dry_run: true, count: 2, done: false });
    const [payload = '', tag] = (first.resume ?? '').split('.');
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const real = `${Buffer.from(JSON.stringify({ ...state, dryRun: false })).toString('base64url')}.${tag}`;
    const refused = await replayScript('--resume', real).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stdout).toBe('');
    expect(refused?.stderr).toContain(
      'resume must be a resume token a replay run of this deployment returned, unchanged',
    );
    const resumed = await replayScript('--resume', first.resume ?? '', '--max-events', '100');
    const reports = resumed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReplayReport);
    expect(reports.at(-1)).toMatchObject({ replay_id: first.replay_id, dry_run: true, done: true });
    expect(reports.at(-1)?.total).toBe(idsIn((e) => e.app_name === 'replay-1').length);
  });

  it('counts in a dry run and publishes nothing', async () => {
    const reports = await replayToEnd(runtime, { since: 0, dry_run: true, max_events: 10 });
    expect(recording.published).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ dry_run: true, done: true, total: stored.length });
  });
});

describe.skipIf(!BROKER)('replay and tail against the real broker', () => {
  let table: TestTable;
  let runtime: Runtime;
  let consumer: SimpleConsumer | undefined;
  let tail: ChildProcess | undefined;
  let tailOut = '';
  let tailErr = '';
  let early: AppEvent | undefined;

  beforeAll(async () => {
    table = await startTestTable();
    runtime = assemble(parseConfig(ROCKETMQ_CONFIG, { file: 'replay.toml', env: {} }), {
      client: createDynamoClient({ DYNAMODB_ENDPOINT: table.endpoint }),
      logger: quiet,
    });
    consumer = await startConsumer(`junoevent_replay_${Date.now()}`);
    // Published before the tail starts: the tail shows messages from its start on, so never this one.
    const [first] = drafts();
    if (first === undefined) throw new Error('no drafts');
    early = (await runtime.store.record({ draft: first, deliveryKey: undefined })).record;
    await runtime.publisher?.publish(early);
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-tail-'));
    tail = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/tail.ts', '--group', `junoevent_tail_test_${Date.now()}`],
      {
        cwd: ROOT,
        env: { ...process.env, JUNOEVENT_CONFIG: writeConfig(ROCKETMQ_CONFIG), JUNOEVENT_DATA_DIR: dataDir },
        stdio: 'pipe',
      },
    );
    tail.stdout?.on('data', (chunk: Buffer) => {
      tailOut += chunk.toString();
    });
    tail.stderr?.on('data', (chunk: Buffer) => {
      tailErr += chunk.toString();
    });
    const ready = Date.now() + 30_000;
    while (!tailErr.includes('from now on')) {
      if (tail.exitCode !== null || Date.now() > ready) throw new Error(`npm run tail did not start:\n${tailErr}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }, 60_000);

  afterAll(async () => {
    await consumer?.shutdown().catch(() => undefined);
    await runtime?.publisher?.close();
    if (tail?.exitCode === null) tail.kill('SIGKILL');
    await table?.close();
  });

  it('delivers exactly the stored events of the range, each with the replay id; tail prints each once', async () => {
    const records = (await runtime.store.recordAll(drafts().map((draft) => ({ draft, deliveryKey: undefined })))).map(
      (result) => result.record,
    );
    // A first delivery, published by the webhook as usual: no replay id.
    const body = JSON.stringify({ app_name: 'replay-live', operation: 'confgo_file_create' });
    const publisher = runtime.publisher;
    if (publisher === undefined) throw new Error('publishing is off in the broker config');
    const live = await invoke(envelopeHandler('confgo', runtime.store, publisher), {
      path: '/webhooks/confgo',
      body,
      headers: signStandard(SECRETS.confgo, body),
    });
    expect(live.status).toBe(202);
    const liveId = String((live.body as { events: { id: number }[] }).events[0]?.id);

    const before = await table.items();
    const since = T0 + 5 * 600;
    const until = T0 + 14 * 600;
    const reports = await replayToEnd(runtime, { since, until, max_events: 3 });
    const replayId = reports[0]?.replay_id ?? '';
    const inRange = records.filter((e) => e.create_time >= since && e.create_time <= until);
    const want = inRange.map((e) => String(e.id)).sort();
    expect(want).toHaveLength(10);
    expect(reports.at(-1)).toMatchObject({ done: true, total: 10 });

    const ours = new Set([...records.map((e) => String(e.id)), liveId]);
    const received = await receiveKeys(consumer as SimpleConsumer, [...want, liveId], 60_000, 4000);
    const receivedOurs = [...received.keys()].filter((key) => ours.has(key));
    expect(receivedOurs.filter((key) => key !== liveId).sort()).toEqual(want);
    for (const event of inRange) {
      const messages = received.get(String(event.id)) ?? [];
      expect(messages).toHaveLength(1);
      expect(messages[0]?.properties.replay_id).toBe(replayId);
      expect(messages[0]?.tag).toBe(event.operation);
      expect(messages[0]?.body).toBe(recordJson(event));
    }
    expect(received.get(liveId)?.[0]?.properties.replay_id).toBeUndefined();
    expect(await table.items()).toEqual(before);

    // npm run tail: one line per message — tag, keys, replay=<id> for a replay, then the record.
    const lineOf = (id: string) => tailOut.split('\n').filter((line) => line.split(' ')[1] === id);
    await expect
      .poll(() => want.every((id) => lineOf(id).length === 1) && lineOf(liveId).length === 1, {
        timeout: 30_000,
      })
      .toBe(true);
    for (const event of inRange) {
      expect(lineOf(String(event.id))).toEqual([
        `${event.operation} ${event.id} replay=${replayId} ${recordJson(event)}`,
      ]);
    }
    expect(lineOf(String(early?.id))).toEqual([]);
    expect(lineOf(liveId)[0]).toMatch(new RegExp(`^confgo_file_create ${liveId} \\{"id":${liveId},`));
    const exited = new Promise<number | null>((done) => tail?.once('exit', (code) => done(code)));
    tail?.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 180_000);
});
