// npm run bench: speed, cost and memory of every function, each next to a baseline measured in the
// same run (alternating, median and spread). Reports; never fails on a number.
//   npm run bench -- --reference   also writes bench/results/reference.{md,json}
//   BENCH_BROKER=127.0.0.1:8081    adds publishing to the warm path (a broker from `npm run broker`)

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import autocannon from 'autocannon';
import { buildFunctions, bundle } from '../scripts/lib/bundle';
import { freePort, listening } from '../scripts/lib/net';
import { ensureTable, tableDefinition } from '../scripts/lib/table';
import { parseConfig } from '../shared/config/config';
import type { Publisher } from '../shared/publishing/types';
import { eventContext, parseContextQuery } from '../shared/read-api/context';
import { assemble, functionHandler, redriveWith } from '../shared/runtime';
import { pendingTableName } from '../shared/store/schema';
import { type Item, totalUnits } from './billing';
import { apiEvent, type BenchSource, benchConfig, context, request, SOURCES } from './requests';
import {
  billIn,
  currentDesign,
  type Design,
  LEGACY_DESIGN,
  markOnEventDesign,
  simulateStorm,
  type Write,
} from './scale';
import { storageRows } from './storage';

const ROOT = resolve(__dirname, '..');
const DIST = resolve(ROOT, 'dist');
const BASELINES = resolve(ROOT, 'bench', 'dist');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
// The embedded DynamoDB takes any credentials; the SDK insists on some.
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Row {
  section: string;
  subject: string;
  metric: string;
  ours: number;
  baseline: number | null;
  /** ours / baseline. */
  ratio: number | null;
  spread: string;
  target: string;
}

const rows: Row[] = [];

function add(row: Omit<Row, 'ratio'>): void {
  const ratio = row.baseline ? row.ours / row.baseline : null;
  rows.push({ ...row, ratio });
  const shown = ratio === null ? '' : ` ratio ${ratio.toFixed(2)}`;
  console.error(
    `  ${row.section} ${row.subject} ${row.metric}: ${round(row.ours)} vs ${row.baseline === null ? '—' : round(row.baseline)}${shown}`,
  );
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Interquartile range, as "p25–p75". */
function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `${round(at(0.25))}–${round(at(0.75))}`;
}

async function startDynalite(): Promise<{ endpoint: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/dynalite/cli.js'), '--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0'],
    {
      stdio: 'ignore',
    },
  );
  while (!(await listening(port))) await new Promise((done) => setTimeout(done, 100));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await ensureTable(new DynamoDBClient({ endpoint, region: 'us-east-1' }), 'appevent');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { endpoint, stop: () => child.kill('SIGKILL') };
}

/** 1. Cold start: module load in a fresh process, alternating ours and the baseline. */
function coldStart(env: NodeJS.ProcessEnv, runs: number): void {
  const probe = `const {performance}=require('node:perf_hooks');const t=performance.now();for(const f of process.argv.slice(1))require(f);const ms=performance.now()-t;console.log(JSON.stringify({ms,rocketmq:Object.keys(require.cache).some(k=>k.endsWith('${'/'}rocketmq.js'))}))`;
  const load = (files: string[]) => {
    const out = execFileSync(process.execPath, ['-e', probe, ...files], { env, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ms: number; rocketmq: boolean };
  };
  const size = (files: string[]) => files.reduce((sum, file) => sum + statSync(file).size, 0);
  const gzip = (files: string[]) =>
    files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
  const dynamoOnly = [join(BASELINES, 'dynamodb.js')];
  const withClient = [join(BASELINES, 'dynamodb-rocketmq.js')];
  const subjects: { name: string; files: string[]; baseline: string[]; env?: NodeJS.ProcessEnv }[] = [
    ...['confgo', 'devops', 'grafana', 'git', 'events', 'page', 'redrive', 'replay'].map((name) => ({
      name,
      files: [join(DIST, `${name}.js`)],
      baseline: dynamoOnly,
    })),
    {
      name: 'confgo, publishing on',
      files: [join(DIST, 'confgo.js'), join(DIST, 'rocketmq.js')],
      baseline: withClient,
    },
    {
      name: 'redrive, publishing on',
      files: [join(DIST, 'redrive.js'), join(DIST, 'rocketmq.js')],
      baseline: withClient,
    },
  ];
  for (const subject of subjects) {
    const ours: number[] = [];
    const base: number[] = [];
    // Each pair runs back to back, in alternating order: the ratio within a pair shares the
    // machine's load of that moment, which the medians of each side taken apart do not.
    const paired: number[] = [];
    let rocketmqLoaded = false;
    for (let i = 0; i < runs; i += 1) {
      const first = i % 2 === 0;
      const a = first ? load(subject.files) : undefined;
      const baseline = load(subject.baseline).ms;
      base.push(baseline);
      const b = first ? a : load(subject.files);
      if (b === undefined) continue;
      ours.push(b.ms);
      paired.push(b.ms / baseline);
      if (subject.files.length === 1 && b.rocketmq) rocketmqLoaded = true;
    }
    add({
      section: 'cold start',
      subject: subject.name,
      metric: `module load ms (median of ${runs})${subject.files.length === 1 ? (rocketmqLoaded ? ', RocketMQ loaded!' : ', no RocketMQ code loaded') : ''}`,
      ours: median(ours),
      baseline: median(base),
      spread: `${spread(ours)} vs ${spread(base)}`,
      target: '—',
    });
    add({
      section: 'cold start',
      subject: subject.name,
      metric: `module load, median of the ${runs} paired ratios (ours over the baseline loaded next to it)`,
      ours: median(paired),
      baseline: null,
      spread: `interquartile ${spread(paired)}`,
      target: '≤ 1.10',
    });
    add({
      section: 'cold start',
      subject: subject.name,
      metric: 'bundle bytes (gzip)',
      ours: size(subject.files),
      baseline: size(subject.baseline),
      spread: `${gzip(subject.files)} vs ${gzip(subject.baseline)} gzip`,
      target: '—',
    });
  }
}

const WORKER_OUTPUT_BYTES = 512 * 1024 * 1024;

/** Runs bench/warm-worker.ts in a fresh process and returns the JSON it prints last. */
function worker(env: NodeJS.ProcessEnv, args: string[]) {
  const cli = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
  // The functions write their metrics (EMF) to stdout, as in Lambda: several MB for thousands of events.
  const out = spawnSync(process.execPath, [cli, join(ROOT, 'bench', 'warm-worker.ts'), ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: WORKER_OUTPUT_BYTES,
  });
  if (out.error) throw new Error(`bench worker ${args.join(' ')}: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`bench worker ${args.join(' ')}: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}');
}

/** 2. Warm path: in-process invocations, alternating blocks of ours and the baseline. */
function warmPath(env: NodeJS.ProcessEnv, requests: number): void {
  for (const source of SOURCES) {
    const result = worker(env, [source, 'warm', 'both', String(requests)]);
    add({
      section: 'warm path',
      subject: source,
      metric: 'p50 latency ms',
      ours: result.ours.p50,
      baseline: result.baseline.p50,
      spread: '',
      target: '≤ 1.25',
    });
    add({
      section: 'warm path',
      subject: source,
      metric: 'p99 latency ms',
      ours: result.ours.p99,
      baseline: result.baseline.p99,
      spread: '',
      target: '—',
    });
    add({
      section: 'warm path',
      subject: source,
      metric: 'events/s (one invocation at a time)',
      ours: result.ours.eventsPerSecond,
      baseline: result.baseline.eventsPerSecond,
      spread: '',
      target: '≥ 0.8',
    });
  }
}

/**
 * 2b. Warm path as on AWS: the same in-process invocations with every DynamoDB call and publish
 * given a fixed added latency (bench/as-on-aws.ts), so the ratio shows the round-trip structure and
 * not the emulator's queue; beside it the round-trip floor, and the one over the other.
 */
function warmAsOnAws(env: NodeJS.ProcessEnv, requests: number, broker: string | undefined): void {
  const cli = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
  for (const publishing of broker === undefined ? ['off'] : ['off', 'on']) {
    for (const source of SOURCES) {
      const out = spawnSync(
        process.execPath,
        [cli, join(ROOT, 'bench', 'as-on-aws.ts'), source, publishing, String(requests)],
        {
          env,
          encoding: 'utf8',
        },
      );
      if (out.status !== 0) throw new Error(`bench as-on-aws ${source} ${publishing}: ${out.stderr}`);
      const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}');
      const { ours, baseline, latency } = result;
      const subject = `${source}, publishing ${publishing}`;
      const added = `DynamoDB +${latency.dynamo} ms a call, publish +${latency.publish} ms`;
      const trips = (r: { dynamo: number; publish: number }) =>
        `${r.dynamo} DynamoDB${publishing === 'on' ? ` + ${r.publish} publish` : ''}`;
      add({
        section: 'warm as on AWS',
        subject,
        metric: `p50 latency ms (${added})`,
        ours: ours.p50,
        baseline: baseline.p50,
        spread: `with nothing added (the emulator and compute): ${round(ours.noneMs)} vs ${round(baseline.noneMs)} ms`,
        target: '—',
      });
      add({
        section: 'warm as on AWS',
        subject,
        metric: 'round-trip floor ms (sequential round trips × added latency)',
        ours: ours.floorMs,
        baseline: baseline.floorMs,
        spread: `sequential round trips: ours ${trips(ours)}, baseline ${trips(baseline)}`,
        target: '—',
      });
      add({
        section: 'warm as on AWS',
        subject,
        metric: 'p50 ratio over the floor ratio',
        ours: ours.p50 / baseline.p50 / (ours.floorMs / baseline.floorMs),
        baseline: null,
        spread: '',
        target: '≤ 1.10',
      });
    }
  }
}

/** List prices (us-east-1, on-demand), for the dollars per million events. */
const PRICES = {
  httpApiPerMillion: 1.0,
  lambdaRequestPerMillion: 0.2,
  lambdaGbSecondArm: 0.0000133334,
  writeUnitPerMillion: 0.625,
  readUnitPerMillion: 0.125,
  secretsManagerPer10k: 0.05,
  provisionedWcuHour: 0.00065,
};
const STEADY_EVENTS_PER_SECOND = 100;
const LAMBDA_MEMORY_GB = 0.5;
/** A container reads its secret at most every 5 minutes; assumed: one read per 300 requests or more. */
const SECRET_READS_PER_REQUEST = 1 / 300;

/** What a write is, from its command and its item's key: the delivery claim, the event, its clear. */
function writeLabel(command: string, pk: string): string {
  const kind = pk.startsWith('D#')
    ? 'delivery item'
    : pk.startsWith('E#')
      ? 'event'
      : pk.startsWith('P#')
        ? 'pending mark'
        : pk.slice(0, 2);
  return `${kind} ${command.replace(/Command$/, '')}`;
}

/**
 * A DynamoDB client that counts the emulator's consumed capacity into `measured` and bills each write
 * per DynamoDB's rules into `billed`, per design, from the item before and after it.
 */
function billingClient(
  endpoint: string,
  designs: Design[],
  publishing: boolean,
  measured: { write: number; read: number },
  billed: number[],
  itemised: Map<string, number>,
) {
  const probe = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  const current = async (table: string, key: Record<string, AttributeValue> | undefined) =>
    key === undefined
      ? undefined
      : (await probe.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { TableName?: string; Item?: Item; Key?: Item };
      Object.assign(input, { ReturnConsumedCapacity: 'TOTAL' });
      const write = /^(Put|Update|Delete)Item/.test(ctx.commandName ?? '');
      const tableName = input.TableName ?? '';
      const pending = tableName === pendingTableName('appevent');
      const itemKey = (item: Item) => (pending ? { pk: item.pk, id: item.id } : { pk: item.pk }) as Item;
      const key = input.Key ?? (input.Item?.pk ? itemKey(input.Item) : undefined);
      const before = write ? await current(tableName, key) : undefined;
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      const capacity = output.ConsumedCapacity?.CapacityUnits ?? 0;
      if (write) {
        measured.write += capacity;
        const observed: Write = { table: pending ? 'pending' : 'table', before, after: await current(tableName, key) };
        designs.forEach((design, d) => {
          for (const made of design.writes(observed, publishing)) {
            const bill = billIn(design, made);
            billed[d] = (billed[d] ?? 0) + totalUnits(bill);
            if (d !== 0) continue;
            const label = writeLabel(ctx.commandName ?? '', key?.pk?.S ?? '');
            for (const [part, units] of [['table', bill.table], ...Object.entries(bill.indexes)] as const) {
              if (units > 0) itemised.set(`${label} (${part})`, (itemised.get(`${label} (${part})`) ?? 0) + units);
            }
          }
        });
      } else {
        measured.read += capacity;
      }
      return result;
    },
    { step: 'initialize', name: 'billing' },
  );
  return { client, probe };
}

/**
 * 3. Cost per event: billed write units (table and every index the item is projected into, per
 * DynamoDB's rules, from the items the store really writes), checked against the emulator's own table
 * figure; read units per listing page; publishes; and dollars per million events at list prices.
 */
async function costPerEvent(endpoint: string, requests: number): Promise<void> {
  const table = tableDefinition('appevent');
  // The baseline: the same writes with the pending mark kept on the event item, as before.
  const designs = [currentDesign(table), markOnEventDesign(table)];
  for (const publishing of [false, true]) {
    const measured = { write: 0, read: 0 };
    const billed = designs.map(() => 0);
    const itemised = new Map<string, number>();
    const { client, probe } = billingClient(endpoint, designs, publishing, measured, billed, itemised);
    let publishes = 0;
    const publisher: Publisher = {
      publish: async () => {
        publishes += 1;
      },
      close: async () => undefined,
    };
    const config = parseConfig(benchConfig(undefined), { file: 'bench.toml', env: {} });
    const runtime = assemble(config, { client, logger: quiet, publisher: publishing ? publisher : undefined });
    for (const source of SOURCES) {
      measured.write = 0;
      measured.read = 0;
      billed.fill(0);
      itemised.clear();
      publishes = 0;
      const handler = functionHandler(source, runtime);
      let events = 0;
      let bytes = 0;
      for (let n = 0; n < requests; n += 1) {
        const { body, headers, events: count } = request(source, 1_000_000 + n);
        const result = await handler(apiEvent(source, body, headers), context);
        if (result.statusCode !== 202) throw new Error(`cost ${source}: ${result.statusCode} ${result.body}`);
        events += count;
        bytes += Buffer.byteLength(body) / count;
      }
      const label = `${source}, publishing ${publishing ? 'on' : 'off'}`;
      const writeUnits = (billed[0] ?? 0) / events;
      add({
        section: 'cost',
        subject: label,
        metric: 'billed write units per event (table + indexes)',
        ours: writeUnits,
        baseline: (billed[1] ?? 0) / events,
        spread: `body ≈ ${Math.round(bytes / requests)} B per event; baseline: the same items with the pending mark on the event item (a sparse index, cleared by rewriting the event); emulator's figure (both tables) ${round(measured.write / events)}; each write: ${[
          ...itemised,
        ]
          .map(([label, units]) => `${label} ${round(units / events)}`)
          .join(', ')}`,
        target: publishing ? (source === 'git' ? '≤ 8 (a 2.6 KB event)' : '≤ 6 for a ≤ 1 KB event') : '—',
      });
      add({
        section: 'cost',
        subject: label,
        metric: 'table read units per event (request path)',
        ours: measured.read / events,
        baseline: null,
        spread: '',
        target: '—',
      });
      add({
        section: 'cost',
        subject: label,
        metric: 'publishes per event',
        ours: publishes / events,
        baseline: null,
        spread: '',
        target: publishing ? '= 1' : '= 0',
      });
      if (publishing) dollars(source, writeUnits, events / requests);
    }
    client.destroy();
    probe.destroy();
  }
  await listingReads(endpoint);
}

/**
 * Dollars per million events of a source at list prices, on demand: ingest (HTTP API requests,
 * Lambda requests and compute, DynamoDB writes, secret reads), apart from storage (bench/storage.ts
 * reports it per month); and what provisioned write capacity would cost at a steady 100 events/s.
 * Lambda compute is billed on wall time: this run's p50 as on AWS when measured, else the warm p50.
 */
function dollars(source: BenchSource, writeUnits: number, eventsPerRequest: number): void {
  const asOnAws = rows.find(
    (r) => r.section === 'warm as on AWS' && r.subject === `${source}, publishing on` && r.metric.startsWith('p50'),
  );
  const warm = rows.find((r) => r.section === 'warm path' && r.subject === source && r.metric === 'p50 latency ms');
  const ms = asOnAws?.ours ?? warm?.ours ?? 0;
  const requests = 1_000_000 / eventsPerRequest;
  const lambdaRequests = (requests * PRICES.lambdaRequestPerMillion) / 1e6;
  const compute = requests * (ms / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaGbSecondArm;
  const http = (requests * PRICES.httpApiPerMillion) / 1e6;
  const writes = writeUnits * PRICES.writeUnitPerMillion;
  const secrets = ((requests * SECRET_READS_PER_REQUEST) / 10_000) * PRICES.secretsManagerPer10k;
  const total = lambdaRequests + compute + http + writes + secrets;
  add({
    section: 'cost',
    subject: `${source}, publishing on`,
    metric: 'US$ per million events, ingest (storage apart)',
    ours: total,
    baseline: null,
    spread: `HTTP API ${http.toFixed(2)}, Lambda requests ${lambdaRequests.toFixed(2)}, Lambda compute ${compute.toFixed(2)} (${round(ms)} ms at 512 MB, ${asOnAws ? 'p50 as on AWS' : 'warm p50 on the emulator'}), DynamoDB writes ${writes.toFixed(2)} (${round(writeUnits)} units), Secrets Manager ${secrets.toFixed(3)}`,
    target: '≤ 5.00',
  });
  // Provisioned: the table's and indexes' write units a second at 100 events/s, at 70% utilisation
  // (the usual auto-scaling target), for a 730-hour month; against the same month on demand.
  const perSecond = STEADY_EVENTS_PER_SECOND * writeUnits;
  const provisioned = Math.ceil(perSecond / 0.7) * PRICES.provisionedWcuHour * 730;
  const onDemand = (STEADY_EVENTS_PER_SECOND * 730 * 3600 * writeUnits * PRICES.writeUnitPerMillion) / 1e6;
  add({
    section: 'cost',
    subject: `${source}, publishing on`,
    metric: `DynamoDB writes US$ a month at a steady ${STEADY_EVENTS_PER_SECOND} events/s, provisioned`,
    ours: provisioned,
    baseline: onDemand,
    spread: `${round(perSecond)} write units/s, ${Math.ceil(perSecond / 0.7)} provisioned (70% utilisation) at US$ ${PRICES.provisionedWcuHour}/unit-hour; baseline: the same writes on demand`,
    target: '—',
  });
}

/** Read units of one listing page (limit 20) by app and by source, from the emulator's figures. */
async function listingReads(endpoint: string): Promise<void> {
  const config = parseConfig(benchConfig(undefined), { file: 'bench.toml', env: {} });
  const consumed = { read: 0, calls: 0 };
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  client.middlewareStack.add(
    (next) => async (args) => {
      Object.assign(args.input as object, { ReturnConsumedCapacity: 'TOTAL' });
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
      const list = Array.isArray(output.ConsumedCapacity) ? output.ConsumedCapacity : [output.ConsumedCapacity];
      consumed.read += list.reduce((sum, c) => sum + (c?.CapacityUnits ?? 0), 0);
      consumed.calls += 1;
      return result;
    },
    { step: 'initialize', name: 'reads' },
  );
  const { store } = assemble(config, { client, logger: quiet, publisher: undefined });
  for (const query of [
    { subject: 'list by app', app_name: 'bench-7' },
    { subject: 'list by source', source: 'grafana' as const },
  ]) {
    consumed.read = 0;
    consumed.calls = 0;
    const { subject, ...filter } = query;
    const page = await store.list({ ...filter, limit: 20 });
    add({
      section: 'cost',
      subject,
      metric: 'read units per page of 20',
      ours: consumed.read,
      baseline: null,
      spread: `${consumed.calls} calls (one query per shard, one batch read) for ${page.events.length} events`,
      target: '—',
    });
  }
  // The context of an event (GET /events/{id}/context with its defaults): the changes of its app in
  // the 2 hours before and, for a change, the alerts in the hour after, read with the app listing.
  const [event] = (await store.list({ app_name: 'bench-7', limit: 1 })).events;
  if (event !== undefined) {
    consumed.read = 0;
    consumed.calls = 0;
    const body = await eventContext(store, event, parseContextQuery({}));
    add({
      section: 'cost',
      subject: 'context of an event',
      metric: 'read units per call (defaults)',
      ours: consumed.read,
      baseline: null,
      spread: `${consumed.calls} calls for ${body.before.length} before and ${body.after.length} after`,
      target: '—',
    });
  }
  client.destroy();
}

/**
 * 6. Backlog drain (with a broker): a backlog of pending events, as an outage leaves it, published by
 * one redrive run against the real broker; the rate, and what it means for 1,000,000 events.
 */
async function drain(endpoint: string, broker: string, backlog: number): Promise<void> {
  const config = parseConfig(benchConfig(broker), { file: 'bench.toml', env: {} });
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  const runtime = assemble(config, { client, logger: quiet });
  // Stored with publishing on but never published: each pending, as if the broker had been down.
  const stored = assemble(config, {
    client,
    logger: quiet,
    publisher: { publish: async () => undefined, close: async () => undefined },
  }).store;
  const chunk = 500;
  for (let n = 0; n < backlog; n += chunk) {
    const requests = Array.from({ length: Math.min(chunk, backlog - n) }, (_, i) => ({
      draft: {
        app_name: `drain-${(n + i) % 20}`,
        aid: 0,
        zone_code: '',
        env: 'prod',
        host_name: '',
        operator_type: 'user' as const,
        user_name: 'bench',
        uid: 0,
        operation: 'confgo_file_update' as const,
        create_time: Math.floor(Date.now() / 1000),
        source: 'confgo' as const,
        metadata: JSON.stringify({ n: n + i }),
      },
      deliveryKey: `drain-${process.pid}-${n + i}`,
    }));
    await stored.recordAll(requests);
  }
  const before = await runtime.store.backlog(backlog * 2);
  const started = performance.now();
  const report = await redriveWith(runtime, { timeLeft: () => true, graceMs: 0, maxEvents: backlog * 2 });
  const seconds = (performance.now() - started) / 1000;
  await runtime.publisher?.close();
  client.destroy();
  const rate = (report?.published ?? 0) / seconds;
  add({
    section: 'drain',
    subject: `backlog of ${before.count} pending events`,
    metric: 'published per second by one redrive run (real broker)',
    ours: rate,
    baseline: null,
    spread: `${report?.published ?? 0} published, ${report?.failed ?? 0} failed, ${report?.backlog ?? '?'} left, in ${seconds.toFixed(1)} s; 1,000,000 would take ${(1_000_000 / rate / 60).toFixed(0)} min at this rate`,
    target: '1,000,000 within 60 min (≥ 278/s)',
  });
}

/** 3b. Scale: the busiest partition key value of the table and each index in an alert storm. */
function scale(seconds: number): void {
  const table = tableDefinition('appevent');
  const eventsPerSecond = 10_000;
  const result = simulateStorm([currentDesign(table), LEGACY_DESIGN], {
    eventsPerSecond,
    seconds,
    mix: { alertShare: 0.8, alertApps: 5 },
  });
  for (const load of result.sharded ?? []) {
    // Before, the pending marks were entries of the byPending index.
    const was = load.target === 'pending table' ? 'byPending' : load.target;
    const before = result['before sharding']?.find((l) => l.target === was);
    add({
      section: 'scale',
      subject: load.target,
      metric: `busiest key's write units/s (${eventsPerSecond} events/s for ${seconds} s, 80% alerts from 5 apps); limit 1,000`,
      ours: load.unitsPerSecond,
      baseline: before?.unitsPerSecond ?? null,
      spread: `now ${load.busiestKey}; before sharding ${before?.busiestKey ?? '—'}`,
      target: '≤ 500',
    });
  }
}

/** 4. Memory: peak RSS of a fresh process after N events, ours and the baseline. */
function memory(env: NodeJS.ProcessEnv, events: number): void {
  for (const source of SOURCES) {
    const rss = (which: 'ours' | 'baseline') => worker(env, [source, 'memory', which, String(events)]).maxRssKb / 1024;
    add({
      section: 'memory',
      subject: source,
      metric: `peak RSS MB after ${events} events`,
      ours: rss('ours'),
      baseline: rss('baseline'),
      spread: '',
      target: '—',
    });
  }
}

/** 5. HTTP through serverless-offline (npm start), autocannon at several concurrencies. */
async function http(seconds: number): Promise<void> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-bench-'));
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(await freePort()),
      LAMBDA_PORT: String(await freePort()),
      JUNOEVENT_DATA_DIR: dataDir,
      JUNOEVENT_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Both streams are read: a pipe left full would stop the server writing its request log.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-100_000);
    });
  }
  const deadline = Date.now() + 90_000;
  while (!output.includes('junoevent is running')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  const secrets = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8'));
  const { createHmac } = await import('node:crypto');
  let n = 0;
  const signed = () => {
    n += 1;
    const body = JSON.stringify({ app_name: `http-${n % 10}`, operation: 'confgo_file_update', metadata: { n } });
    const id = `http-${n}-${Date.now()}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(String(secrets.secrets.confgo).slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': `v1,${signature}`,
      },
    };
  };
  try {
    for (const connections of [1, 10, 50]) {
      const result = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        requests: [{ method: 'POST', path: '/webhooks/confgo', setupRequest: (req) => ({ ...req, ...signed() }) }],
      });
      add({
        section: 'http',
        subject: `confgo, ${connections} connection${connections > 1 ? 's' : ''}`,
        metric: 'requests/s',
        ours: result.requests.average,
        baseline: null,
        spread: `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; errors ${result.errors}, non-2xx ${result.non2xx}`,
        target: '—',
      });
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((done) => child.once('exit', done));
  }
}

function markdown(meta: Record<string, string>): string {
  const lines = [
    '# junoevent benchmark',
    '',
    Object.entries(meta)
      .map(([key, value]) => `- ${key}: ${value}`)
      .join('\n'),
    '',
    '| section | subject | metric | ours | baseline | ratio | target | spread / notes |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.section} | ${r.subject} | ${r.metric} | ${round(r.ours)} | ${r.baseline === null ? '—' : round(r.baseline)} | ${r.ratio === null ? '—' : r.ratio.toFixed(2)} | ${r.target} | ${r.spread} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { reference: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } },
  });
  const quick = values.quick ?? false;
  const broker = process.env.BENCH_BROKER || undefined;
  console.error('building the functions and the baselines');
  await buildFunctions();
  await bundle(
    {
      dynamodb: resolve(ROOT, 'bench/baselines/dynamodb.ts'),
      'dynamodb-rocketmq': resolve(ROOT, 'bench/baselines/dynamodb-rocketmq.ts'),
    },
    BASELINES,
  );
  const work = mkdtempSync(join(tmpdir(), 'junoevent-bench-'));
  const configFile = join(work, 'junoevent.toml');
  writeFileSync(configFile, benchConfig(broker));
  const dynamo = await startDynalite();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUNOEVENT_CONFIG: configFile,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    JUNOEVENT_LOG_LEVEL: 'SILENT',
  };
  const started = Date.now();
  try {
    console.error('1/5 cold start');
    coldStart(env, quick ? 5 : 31);
    console.error('2/5 warm path');
    warmPath(env, quick ? 100 : 500);
    console.error('2b/5 warm path as on AWS');
    warmAsOnAws(env, quick ? 100 : 300, broker);
    console.error('3/5 cost per event, and the storm simulation');
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    await costPerEvent(dynamo.endpoint, quick ? 20 : 100);
    for (const row of storageRows()) add(row);
    scale(quick ? 5 : 60);
    console.error('4/5 memory');
    memory(env, quick ? 500 : 5000);
    console.error('5/5 http');
    await http(quick ? 2 : 5);
    if (broker !== undefined) {
      console.error('6 backlog drain (broker)');
      await drain(dynamo.endpoint, broker, quick ? 2_000 : 20_000);
    }
  } finally {
    dynamo.stop();
  }
  const meta = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    broker: broker ? `publishing to ${broker}` : 'none (warm path without publishing)',
    profile: quick ? 'quick' : 'full',
    'took (s)': String(Math.round((Date.now() - started) / 1000)),
  };
  const results = resolve(ROOT, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  const text = markdown(meta);
  const names = values.reference ? ['latest', 'reference'] : ['latest'];
  for (const name of names) {
    writeFileSync(join(results, `${name}.md`), text);
    writeFileSync(join(results, `${name}.json`), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
  }
  console.log(text);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
