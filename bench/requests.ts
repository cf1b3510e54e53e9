// Signed API Gateway v2 requests per source, each a new delivery, for the benchmark.

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { rocketmqBlock, SECRETS, TEST_CONFIG } from '../test/support/config';

const ROOT = resolve(__dirname, '..');
export const SOURCES = ['confgo', 'devops', 'grafana', 'git'] as const;
export type BenchSource = (typeof SOURCES)[number];

/** The bench runs the functions with the test suite's config and secrets. */
export function benchConfig(rocketmq: string | undefined): string {
  return rocketmq ? `${TEST_CONFIG}${rocketmqBlock(rocketmq, 'juno_test_job')}` : TEST_CONFIG;
}

function fixture(path: string): string {
  return readFileSync(resolve(ROOT, 'test', 'fixtures', path), 'utf8');
}

const ALERTS = JSON.parse(fixture('grafana/alertmanager_v4_mixed.json'));
const PUSH = fixture('git/gitlab_push_hook.json');

function standardHeaders(secret: string, id: string, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

/** The n-th request of a source: a new delivery every time (no redelivery shortcuts). */
export function request(
  source: BenchSource,
  n: number,
): { body: string; headers: Record<string, string>; events: number } {
  const id = `bench-${process.pid}-${n}-${Date.now()}`;
  switch (source) {
    case 'confgo':
    case 'devops': {
      const operation = source === 'confgo' ? 'confgo_file_publish' : 'devops_deploy';
      const body = JSON.stringify({
        app_name: `bench-${n % 50}`,
        aid: 42,
        env: 'prod',
        zone_code: 'cn-sh-01',
        host_name: ['host-a', 'host-b'],
        user_name: 'bench',
        uid: 7,
        operation,
        metadata: { configuration_id: n, name: 'config-prod', format: 'toml' },
      });
      return { body, headers: standardHeaders(SECRETS[source], id, body), events: 1 };
    }
    case 'grafana': {
      const notification = structuredClone(ALERTS);
      for (const alert of notification.alerts) alert.fingerprint = `${alert.fingerprint}-${id}`;
      const body = JSON.stringify(notification);
      const timestamp = String(Math.floor(Date.now() / 1000));
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana)
            .update(`${timestamp}:${body}`)
            .digest('hex'),
          'x-grafana-alerting-timestamp': timestamp,
        },
        events: notification.alerts.length,
      };
    }
    case 'git':
      return {
        body: PUSH,
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': 'Push Hook',
          'x-gitlab-token': SECRETS.git,
          'idempotency-key': id,
        },
        events: 1,
      };
  }
}

export function apiEvent(source: BenchSource, body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const path = `/webhooks/${source}`;
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'localhost', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

export const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '512',
  awsRequestId: 'bench',
  logGroupName: 'bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
