// The real RocketMQ 5 broker the publishing tests run against: started by scripts/broker/broker.sh
// (`npm run broker`, or .ci/run) and named by JUNOEVENT_TEST_BROKER.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FilterExpression, SimpleConsumer } from 'rocketmq-client-nodejs';
import { guardTelemetryStreams } from '../../shared/publishing/rocketmq';
import { rocketmqBlock, TEST_CONFIG } from './config';

export const BROKER = process.env.JUNOEVENT_TEST_BROKER || undefined;
export const TOPIC = process.env.JUNOEVENT_TEST_TOPIC || 'juno_test_job';

/** The test config with publishing to the test broker. */
export const ROCKETMQ_CONFIG = `${TEST_CONFIG}${rocketmqBlock(BROKER ?? '127.0.0.1:8081', TOPIC)}`;

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'broker', 'broker.sh');
const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs broker.sh start|stop; the store is throwaway, so stop kills at once. */
export function brokerScript(command: 'start' | 'stop'): void {
  const result = spawnSync('bash', [SCRIPT, command], {
    env: { ...process.env, JUNOEVENT_RMQ_STOP_TIMEOUT: '0', JUNOEVENT_RMQ_TOPICS: TOPIC },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status !== 0) throw new Error(`broker.sh ${command} failed:\n${result.stderr}`);
}

export interface ReceivedMessage {
  body: string;
  tag: string | undefined;
  keys: string[];
  properties: Record<string, string>;
}

export async function startConsumer(group: string): Promise<SimpleConsumer> {
  const consumer = new SimpleConsumer({
    endpoints: BROKER ?? '',
    namespace: '',
    logger: quiet,
    consumerGroup: group,
    subscriptions: new Map([[TOPIC, new FilterExpression('*')]]),
    awaitDuration: 3000,
    requestTimeout: 3000,
  });
  guardTelemetryStreams(consumer);
  await consumer.startup();
  return consumer;
}

/**
 * Receives (and acks) until a message has arrived for every key in `keys`, or `timeoutMs` passes;
 * then goes on for `settleMs` more, to catch what should not arrive (extra keys, second copies).
 */
export async function receiveKeys(
  consumer: SimpleConsumer,
  keys: readonly string[],
  timeoutMs = 30_000,
  settleMs = 0,
): Promise<Map<string, ReceivedMessage[]>> {
  const found = new Map<string, ReceivedMessage[]>();
  const deadline = Date.now() + timeoutMs;
  let settleUntil: number | undefined;
  for (;;) {
    const missing = keys.some((key) => !found.has(key));
    if (missing && Date.now() >= deadline) break;
    if (!missing) {
      settleUntil ??= Date.now() + settleMs;
      if (Date.now() >= settleUntil) break;
    }
    const views = await consumer.receive(32, 15_000);
    for (const view of views) {
      await consumer.ack(view);
      const message = {
        body: view.body.toString('utf8'),
        tag: view.tag,
        keys: [...view.keys],
        properties: Object.fromEntries(view.properties),
      };
      for (const key of view.keys) found.set(key, [...(found.get(key) ?? []), message]);
    }
  }
  return found;
}

/** Freezes the broker's Proxy (SIGSTOP) while `run` runs: a broker that accepts and never answers. */
export async function withBrokerHung<T>(run: () => Promise<T>): Promise<T> {
  const work = process.env.JUNOEVENT_RMQ_WORK || resolve(__dirname, '..', '..', '.rocketmq');
  const pid = Number(readFileSync(resolve(work, 'proxy.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no proxy pid file: is the broker started by broker.sh?');
  process.kill(pid, 'SIGSTOP');
  try {
    return await run();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
