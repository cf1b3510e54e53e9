// Baseline for publishing functions: parse, one conditional PutItem per event, one publish per
// event. Only the DynamoDB and RocketMQ clients are imported.

import { Producer } from 'rocketmq-client-nodejs';
import { baselineHandler, put } from './dynamodb';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Sends one message per event to `endpoints`, with a producer started on first use. */
export function baselinePublish(endpoints: string, topic: string) {
  let producer: Promise<Producer> | undefined;
  const started = () => {
    producer ??= (async () => {
      const created = new Producer({ endpoints, namespace: '', logger: quiet });
      await created.startup();
      return created;
    })();
    return producer;
  };
  const publish = async (id: number, body: string) => {
    const ready = await started();
    await ready.send({ topic, tag: 'bench', keys: [String(id)], body: Buffer.from(body) });
  };
  const close = async () => {
    if (producer) await (await producer).shutdown().catch(() => undefined);
  };
  return { publish, close };
}

const publishing = process.env.BENCH_BROKER
  ? baselinePublish(process.env.BENCH_BROKER, process.env.BENCH_TOPIC ?? 'juno_test_job')
  : undefined;

export const handler = baselineHandler({ put, publish: publishing?.publish });

export async function close(): Promise<void> {
  await publishing?.close();
}
