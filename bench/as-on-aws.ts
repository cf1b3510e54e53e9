// The warm path "as on AWS": one process invokes one webhook in-process, ours and the baseline, with
// every DynamoDB call and every publish given a fixed latency in a layer where concurrent calls
// overlap (each waits on its own timer, as requests to the service do): a call lasts the stated
// latency, the emulator's or broker's answer included, or longer only when the answer takes longer.
// The emulator answers one request at a time, so its own time would otherwise be added to every call
// one after another, which DynamoDB does not do.
//   tsx bench/as-on-aws.ts <source> <on|off> <requests>   prints one JSON line
// It measures, for ours and the baseline:
// - the sequential round trips of a request, of each kind of call (see roundTrips);
// - the round-trip floor: those round trips times the stated latencies;
// - the p50 with the stated latencies, in alternating blocks.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../shared/config/config';
import { createPublisher } from '../shared/publishing/publisher';
import type { Publisher } from '../shared/publishing/types';
import { assemble, functionHandler } from '../shared/runtime';
import { baselineHandler, baselinePut } from './baselines/dynamodb';
import { baselinePublish } from './baselines/dynamodb-rocketmq';
import { apiEvent, type BenchSource, benchConfig, context, request } from './requests';

/** The stated latencies, ms: a DynamoDB call and a publish, as within one AWS region. */
export const ADDED_LATENCY = { dynamo: 5, publish: 3 } as const;
/** How long one kind of call is made to last to count its sequential round trips. */
const PROBE_MS = 100;
const PROBE_RUNS = 7;

const delays = { dynamo: 0, publish: 0 };
const sleep = (ms: number) => (ms > 0 ? new Promise((done) => setTimeout(done, ms)) : Promise.resolve());

/** Runs `call`, then waits until `ms` have passed since it started. */
async function lasting<T>(ms: number, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await call();
  await sleep(ms - (performance.now() - started));
  return result;
}

/** A DynamoDB client whose every call lasts at least the current latency. */
function slowedClient(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  client.middlewareStack.add((next) => (args) => lasting(delays.dynamo, () => next(args)), {
    step: 'finalizeRequest',
    name: 'addedLatency',
  });
  return client;
}

function slowedPublisher(inner: Publisher): Publisher {
  return {
    publish: (record, options) => lasting(delays.publish, () => inner.publish(record, options)),
    close: () => inner.close(),
  };
}

type Handler = (body: string, headers: Record<string, string>) => Promise<{ statusCode?: number; body?: string }>;

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function handlers(source: BenchSource, endpoint: string, broker: string | undefined) {
  const config = parseConfig(benchConfig(broker), { file: 'bench.toml', env: {} });
  const inner = broker === undefined ? undefined : createPublisher(config.rocketmq, quiet);
  const runtime = assemble(config, {
    client: slowedClient(endpoint),
    logger: quiet,
    publisher: inner && slowedPublisher(inner),
  });
  const ours = functionHandler(source, runtime);
  const publishing = broker === undefined ? undefined : baselinePublish(broker, 'juno_test_job');
  const baseline = baselineHandler({
    put: baselinePut(slowedClient(endpoint), 'appevent'),
    publish: publishing && ((id, body) => lasting(delays.publish, () => publishing.publish(id, body))),
  });
  const close = async () => {
    await inner?.close();
    await publishing?.close();
  };
  return {
    close,
    ours: ((body, headers) => ours(apiEvent(source, body, headers), context)) as Handler,
    baseline: ((body, headers) => baseline(apiEvent(source, body, headers))) as Handler,
  };
}

let n = 0;
async function timed(source: BenchSource, handler: Handler): Promise<number> {
  n += 1;
  const { body, headers } = request(source, n);
  const started = performance.now();
  const result = await handler(body, headers);
  const ms = performance.now() - started;
  if (result.statusCode !== 202) throw new Error(`${source}: ${result.statusCode} ${result.body}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function medianOf(source: BenchSource, handler: Handler, runs: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await timed(source, handler));
  return median(samples);
}

/**
 * Sequential round trips of each kind: the median with that kind's calls lasting 2 × PROBE_MS, less
 * the median with them lasting PROBE_MS, over PROBE_MS (both hide the emulator's own time, so only
 * the round trips one after another remain; concurrent calls overlap and count once).
 */
async function roundTrips(source: BenchSource, handler: Handler, publishing: boolean) {
  const probe = async (kind: 'dynamo' | 'publish') => {
    const at = async (ms: number) => {
      Object.assign(delays, { dynamo: 0, publish: 0, [kind]: ms });
      return medianOf(source, handler, PROBE_RUNS);
    };
    const once = await at(PROBE_MS);
    return Math.round(((await at(2 * PROBE_MS)) - once) / PROBE_MS);
  };
  Object.assign(delays, { dynamo: 0, publish: 0 });
  const noneMs = await medianOf(source, handler, PROBE_RUNS);
  const trips = { dynamo: await probe('dynamo'), publish: publishing ? await probe('publish') : 0 };
  return { ...trips, floorMs: trips.dynamo * ADDED_LATENCY.dynamo + trips.publish * ADDED_LATENCY.publish, noneMs };
}

async function main(): Promise<void> {
  const [source, mode, count] = process.argv.slice(2) as [BenchSource, 'on' | 'off', string];
  const broker = mode === 'on' ? process.env.BENCH_BROKER : undefined;
  if (mode === 'on' && broker === undefined) throw new Error('publishing on needs BENCH_BROKER');
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint === undefined) throw new Error('DYNAMODB_ENDPOINT is not set');
  const subjects = handlers(source, endpoint, broker);
  try {
    Object.assign(delays, ADDED_LATENCY);
    for (let i = 0; i < 20; i += 1) {
      await timed(source, subjects.ours);
      await timed(source, subjects.baseline);
    }
    const trips = {
      ours: await roundTrips(source, subjects.ours, broker !== undefined),
      baseline: await roundTrips(source, subjects.baseline, broker !== undefined),
    };
    Object.assign(delays, ADDED_LATENCY);
    const samples = { ours: [] as number[], baseline: [] as number[] };
    const rounds = 10;
    const block = Math.max(1, Math.floor(Number(count) / rounds));
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const name of order) {
        for (let i = 0; i < block; i += 1) samples[name].push(await timed(source, subjects[name]));
      }
    }
    console.log(
      JSON.stringify({
        latency: ADDED_LATENCY,
        ours: { p50: median(samples.ours), ...trips.ours },
        baseline: { p50: median(samples.baseline), ...trips.baseline },
      }),
    );
  } finally {
    await subjects.close();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
