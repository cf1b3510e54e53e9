// Baseline for publishing functions: parse, one conditional PutItem per event, one publish per
// event. Only the DynamoDB and RocketMQ clients are imported.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Producer } from 'rocketmq-client-nodejs';
import { put } from './dynamodb';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let producer: Promise<Producer> | undefined;

function started(): Promise<Producer> {
  producer ??= (async () => {
    const created = new Producer({
      endpoints: process.env.BENCH_BROKER ?? '127.0.0.1:8081',
      namespace: '',
      logger: quiet,
    });
    await created.startup();
    return created;
  })();
  return producer;
}

export const handler = async (event: APIGatewayProxyEventV2) => {
  const body = event.body ?? '{}';
  const ids = await put(body);
  if (process.env.BENCH_BROKER) {
    const ready = await started();
    for (const id of ids) {
      await ready.send({
        topic: process.env.BENCH_TOPIC ?? 'juno_test_job',
        tag: 'bench',
        keys: [String(id)],
        body: Buffer.from(body),
      });
    }
  }
  return { statusCode: 202, body: JSON.stringify({ ids }) };
};

export async function close(): Promise<void> {
  if (producer) await (await producer).shutdown().catch(() => undefined);
}
