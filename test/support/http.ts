// Real API Gateway HTTP API (payload v2) events and a Lambda context, for driving the handlers.

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { checkResponse } from './contract';

export interface RequestSpec {
  method?: string;
  path: string;
  routeKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

export function httpApiEvent(spec: RequestSpec): APIGatewayProxyEventV2 {
  const method = spec.method ?? 'POST';
  const query = spec.query ?? {};
  return {
    version: '2.0',
    routeKey: spec.routeKey ?? `${method} ${spec.path}`,
    rawPath: spec.path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { host: 'localhost', 'user-agent': 'junoevent-test', ...spec.headers },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(spec.pathParameters ? { pathParameters: spec.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: spec.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'junoevent-test' },
      requestId: 'test-request',
      routeKey: spec.routeKey ?? `${method} ${spec.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(spec.body === undefined ? {} : { body: spec.body }),
    isBase64Encoded: spec.isBase64Encoded ?? false,
  };
}

/**
 * A Lambda context whose time left stays at `remainingMs`. The default, the longest HTTP function
 * timeout, puts the answer-by deadline beyond the test timeout: a slow machine fails a test on its
 * own timeout, never on a 503.
 */
export function lambdaContext(functionName = 'junoevent-test', remainingMs = 28_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Response {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
  text: string;
}

/**
 * Invokes a handler with an API Gateway event and checks the response against openapi.json (see
 * contract.ts): a response the document does not describe fails the test.
 */
export async function invoke(handler: Handler, spec: RequestSpec): Promise<Response> {
  const result = await handler(httpApiEvent(spec), lambdaContext());
  const text = result.body ?? '';
  const status = result.statusCode ?? 0;
  const headers = result.headers ?? {};
  const route = spec.routeKey?.split(' ')[1];
  await checkResponse({ method: spec.method ?? 'POST', path: spec.path, route, status, headers, text });
  const json = /json/.test(String(headers['content-type'] ?? ''));
  return { status, headers, body: text && json ? JSON.parse(text) : undefined, text };
}

/** Standard Webhooks headers made by the reference library (not our own code). */
export function signStandard(
  secret: string,
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = options.at ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
