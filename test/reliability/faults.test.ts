// Faults: the DynamoDB emulator killed mid-run (503 for what it affects, nothing published that
// was not stored, recovery when it returns); the broker down, then up (every stored event
// published after the redrive).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../scripts/table';
import { parseConfig, requireSource } from '../../shared/config';
import { createForwarder, type Forwarder } from '../../shared/forwarder';
import { httpFunction } from '../../shared/http';
import { createIdGenerator } from '../../shared/ids';
import { redrive } from '../../shared/redrive';
import { createDocumentClient, createDynamoStore } from '../../shared/store';
import { envelopeRoute } from '../../shared/webhook';
import { BROKER, brokerScript, receiveKeys, startConsumer, TOPIC } from '../support/broker';
import { SECRETS, TEST_CONFIG } from '../support/config';
import { TABLE } from '../support/dynamo';
import { useFunctions } from '../support/functions';
import { type Handler, invoke, signStandard } from '../support/http';
import { freePort } from '../support/ports';
import { summary } from './support';

const ROOT = resolve(__dirname, '..', '..');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** dynalite as its own process, on LevelDB files, so it can be killed and started again. */
async function startEmulator(port: number, path: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/dynalite/cli.js'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--path',
      path,
      '--createTableMs',
      '0',
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  const deadline = Date.now() + 15_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('dynalite did not start');
    await new Promise((done) => setTimeout(done, 100));
  }
  return child;
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

let sequence = 0;
function send(handler: Handler) {
  sequence += 1;
  const body = JSON.stringify({ app_name: 'fault-svc', operation: 'confgo_file_update', metadata: { n: sequence } });
  return invoke(handler, {
    path: '/webhooks/confgo',
    body,
    headers: signStandard(SECRETS.confgo, body, { id: `fault-${sequence}` }),
  });
}

async function scanEventIds(endpoint: string): Promise<number[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1' }));
  const ids: number[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (String(item.pk).startsWith('E#')) ids.push(Number(item.id));
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return ids;
}

describe('faults', () => {
  it('DynamoDB killed mid-run: 503 for the requests it affects, nothing published unstored, recovery after', async () => {
    const port = await freePort();
    const path = mkdtempSync(join(tmpdir(), 'junoevent-fault-'));
    const endpoint = `http://127.0.0.1:${port}`;
    let emulator = await startEmulator(port, path);
    await ensureTable(new DynamoDBClient({ endpoint, region: 'us-east-1' }), TABLE);

    const published: number[] = [];
    const counting: Forwarder = {
      publish: async (record) => {
        published.push(record.id);
      },
      close: async () => undefined,
    };
    const config = parseConfig(TEST_CONFIG, { file: 'faults.toml', env: {} });
    const store = createDynamoStore({
      client: createDocumentClient({ DYNAMODB_ENDPOINT: endpoint }),
      table: TABLE,
      ids: createIdGenerator(),
      forwarding: true,
    });
    const handler = httpFunction(
      envelopeRoute('confgo', requireSource(config, 'confgo'), {
        store,
        now: Date.now,
        logger: quiet,
        metadataBudget: config.metadataBudget,
        forwarder: counting,
      }),
      { name: 'confgo', logger: quiet, maxBodyBytes: config.maxBodyBytes },
    );

    const responses: { status: number; code?: string | undefined; id?: number | undefined }[] = [];
    const record = async (count: number, concurrency: number, onEach?: (done: number) => void) => {
      let next = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            next += 1;
            const response = await send(handler);
            const body = response.body as { events?: { id: number }[]; error?: { code: string } };
            responses.push({ status: response.status, code: body.error?.code, id: body.events?.[0]?.id });
            done += 1;
            onEach?.(done);
          }
        }),
      );
    };

    await record(30, 5);
    expect(responses.every((r) => r.status === 202)).toBe(true);
    await record(60, 5, (done) => {
      if (done === 10) emulator.kill('SIGKILL');
    });
    const duringOutage = responses.slice(30);
    expect(duringOutage.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    emulator = await startEmulator(port, path);
    await record(30, 5);
    expect(responses.slice(90).every((r) => r.status === 202)).toBe(true);

    const stored = new Set(await scanEventIds(endpoint));
    emulator.kill('SIGKILL');
    const accepted = responses.filter((r) => r.status === 202);
    const lost = accepted.filter((r) => r.id === undefined || !stored.has(r.id)).length;
    summary('faults dynamodb-killed', {
      sent: responses.length,
      accepted: accepted.length,
      rejected: responses.length - accepted.length,
      stored: stored.size,
      published: published.length,
      lost,
      duplicated: published.length - new Set(published).size,
    });
    // Only 202 or 503 with its JSON error: never a 500.
    for (const response of responses) {
      expect([202, 503]).toContain(response.status);
      if (response.status === 503) expect(response.code).toBe('service_unavailable');
    }
    expect(lost).toBe(0);
    expect(published.every((id) => stored.has(id))).toBe(true);
    expect(new Set(published).size).toBe(published.length);
  });
});

const ROCKETMQ_CONFIG = `${TEST_CONFIG}
[junoevent.rocketmq]
enable = true
addr = ["${BROKER ?? '127.0.0.1:8081'}"]
topic = "${TOPIC}"
retry = 1
dialTimeout = "2s"
`;

describe('broker scenarios', () => {
  it('run in CI: a broker is named by JUNOEVENT_TEST_BROKER', () => {
    if (process.env.CI && !BROKER) throw new Error('CI must run the broker scenarios: set JUNOEVENT_TEST_BROKER');
    if (!BROKER)
      console.warn('reliability broker scenarios NOT run: no broker (see README, "Tests that need the broker")');
    expect(BROKER !== undefined || !process.env.CI).toBe(true);
  });
});

describe.skipIf(!BROKER)('faults (real broker)', () => {
  const { table, handlers } = useFunctions({ config: ROCKETMQ_CONFIG, clearEach: false });
  const EVENTS = 100;

  it(`broker down, then up: all ${EVENTS} stored events are published after the redrive`, async () => {
    brokerScript('stop');
    const ids: number[] = [];
    let rejected = 0;
    try {
      for (let n = 0; n < EVENTS; n += 1) {
        const response = await send(handlers.confgo);
        const id = (response.body as { events?: { id: number }[] }).events?.[0]?.id;
        if (response.status === 202 && id !== undefined) ids.push(id);
        else rejected += 1;
      }
    } finally {
      brokerScript('start');
    }
    const consumer = await startConsumer(`junoevent_faults_${Date.now()}`);
    const config = parseConfig(ROCKETMQ_CONFIG, { file: 'faults.toml', env: {} });
    const forwarder = createForwarder(config.rocketmq, quiet);
    if (forwarder === undefined) throw new Error('forwarding is enabled in this config');
    const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
    const store = createDynamoStore({
      client: createDocumentClient({ DYNAMODB_ENDPOINT: endpoint }),
      table: TABLE,
      ids: createIdGenerator(),
      forwarding: true,
    });
    try {
      const report = await redrive({
        store,
        forwarder,
        logger: quiet,
        now: Date.now,
        timeLeft: () => true,
        graceMs: 0,
      });
      expect(report.backlog).toBe(0);
      const received = await receiveKeys(consumer, ids.map(String), 60_000);
      const stored = (await table.events()).filter((item) => ids.includes(Number(item.id)));
      const lost = ids.filter((id) => !received.has(String(id))).length;
      const publishedCount = ids.reduce((sum, id) => sum + (received.get(String(id))?.length ?? 0), 0);
      summary('faults broker-down-then-up', {
        sent: EVENTS,
        accepted: ids.length,
        rejected,
        stored: stored.length,
        published: publishedCount,
        lost,
        duplicated: publishedCount - (ids.length - lost),
      });
      expect(ids).toHaveLength(EVENTS);
      expect(stored).toHaveLength(EVENTS);
      expect(lost).toBe(0);
    } finally {
      await forwarder.close();
      await consumer.shutdown().catch(() => undefined);
    }
  }, 300_000);
});
