// One benchmark process: loads a function bundle and its baseline bundle, then either measures
// warm latency (alternating blocks) or the peak RSS after N events. Prints one JSON line.

import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { apiEvent, type BenchSource, context, request } from './requests';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const ROOT = resolve(__dirname, '..');
const [source, mode, which, count] = process.argv.slice(2) as [
  BenchSource,
  'warm' | 'memory',
  'ours' | 'baseline' | 'both',
  string,
];

function load(path: string): Handler {
  const module: unknown = require(path);
  if (typeof module !== 'object' || module === null || !('handler' in module) || typeof module.handler !== 'function') {
    throw new Error(`${path} exports no handler`);
  }
  const { handler } = module as { handler: Handler };
  return handler;
}

const baselineFile = process.env.BENCH_BROKER ? 'dynamodb-rocketmq.js' : 'dynamodb.js';
const handlers: Record<'ours' | 'baseline', () => Handler> = {
  ours: () => load(resolve(ROOT, 'dist', `${source}.js`)),
  baseline: () => load(resolve(ROOT, 'bench', 'dist', baselineFile)),
};

let n = 0;
async function invokeOnce(handler: Handler): Promise<{ ms: number; events: number }> {
  n += 1;
  const { body, headers, events } = request(source, n);
  const event = apiEvent(source, body, headers);
  const started = performance.now();
  const result = await handler(event, context);
  const ms = performance.now() - started;
  if (result.statusCode !== 202) throw new Error(`${source}: ${result.statusCode} ${result.body}`);
  return { ms, events };
}

function stats(latencies: number[], events: number, totalMs: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), eventsPerSecond: (events * 1000) / totalMs, requests: latencies.length };
}

async function main(): Promise<void> {
  const total = Number(count);
  if (mode === 'memory') {
    const handler = handlers[which === 'baseline' ? 'baseline' : 'ours']();
    let events = 0;
    while (events < total) events += (await invokeOnce(handler)).events;
    console.log(JSON.stringify({ events, maxRssKb: process.resourceUsage().maxRSS }));
    return;
  }
  const ours = handlers.ours();
  const baseline = handlers.baseline();
  for (let i = 0; i < 30; i += 1) {
    await invokeOnce(ours);
    await invokeOnce(baseline);
  }
  const rounds = 10;
  const block = Math.max(1, Math.floor(total / rounds));
  const samples = { ours: [] as number[], baseline: [] as number[] };
  const events = { ours: 0, baseline: 0 };
  const time = { ours: 0, baseline: 0 };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
    for (const name of order) {
      const handler = name === 'ours' ? ours : baseline;
      for (let i = 0; i < block; i += 1) {
        const { ms, events: count } = await invokeOnce(handler);
        samples[name].push(ms);
        events[name] += count;
        time[name] += ms;
      }
    }
  }
  console.log(
    JSON.stringify({
      ours: stats(samples.ours, events.ours, time.ours),
      baseline: stats(samples.baseline, events.baseline, time.baseline),
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
