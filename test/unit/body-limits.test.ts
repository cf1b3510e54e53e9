// The largest body a route may be given reaches the function deployed: its API Gateway event, with the
// body escaped as a JSON string and the request line and headers at API Gateway's limit, fits Lambda's
// invocation payload. A larger limit is refused when the config loads; a larger body gets our 413.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import { EVENT_ENVELOPE_BYTES, LAMBDA_PAYLOAD_BYTES, MAX_BODY_BYTES_LIMIT } from '../../shared/config/types';
import { httpHandler } from '../../shared/http/function';
import { httpApiEvent, lambdaContext } from '../support/http';

/** API Gateway's limit on an HTTP API request's request line and header values together. */
const REQUEST_LINE_AND_HEADER_VALUES = 10_240;

/**
 * An HTTP API payload 2.0 event as API Gateway writes it for a GitHub push to /webhooks/git, every
 * field present, with the request line and header values filled to API Gateway's limit with the
 * characters JSON escaping doubles.
 */
function worstCaseEvent(body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {
    accept: '*/*',
    'accept-encoding': 'gzip, deflate, br',
    'content-length': String(Buffer.byteLength(body)),
    'content-type': 'application/json',
    host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'GitHub-Hookshot/4f2a9c1',
    'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
    'x-forwarded-for': '140.82.115.1',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-github-event': 'push',
    'x-github-hook-id': '292430182',
    'x-github-hook-installation-target-id': '79929171',
    'x-github-hook-installation-target-type': 'repository',
    'x-hub-signature': `sha1=${'7'.repeat(40)}`,
    'x-hub-signature-256': `sha256=${'d'.repeat(64)}`,
  };
  const path = '/webhooks/git';
  const used = (query: string) =>
    Buffer.byteLength(`POST ${path}?${query} HTTP/1.1`) +
    Object.values(headers).reduce((sum, value) => sum + Buffer.byteLength(value), 0);
  // Half of what is left goes to a query of encoded backslashes (each decoded one escapes to two
  // bytes in queryStringParameters), the rest to a header of quotes (each escapes to two bytes).
  const encoded = '%5C'.repeat(Math.floor((REQUEST_LINE_AND_HEADER_VALUES - used('q=')) / 2 / 3));
  const query = `q=${encoded}`;
  headers['x-padding'] = '"'.repeat(REQUEST_LINE_AND_HEADER_VALUES - used(query));
  expect(used(query)).toBe(REQUEST_LINE_AND_HEADER_VALUES);
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: query,
    cookies: [],
    headers,
    queryStringParameters: { q: decodeURIComponent(encoded) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '140.82.115.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `POST ${path}`,
      stage: '$default',
      time: '30/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_946_400_000,
    },
    pathParameters: {},
    stageVariables: {},
    body,
    isBase64Encoded: false,
  };
}

const bytesOf = (event: APIGatewayProxyEventV2) => Buffer.byteLength(JSON.stringify(event));

describe('the largest body limit', () => {
  it('is 3,014,656 bytes: half of what Lambda takes, less the bound on the rest of the event', () => {
    expect(MAX_BODY_BYTES_LIMIT).toBe(3_014_656);
    expect(MAX_BODY_BYTES_LIMIT).toBe(Math.floor((LAMBDA_PAYLOAD_BYTES - EVENT_ENVELOPE_BYTES) / 2));
  });

  it("fits Lambda's payload for a body of that size, all backslashes, with headers at API Gateway's limit", () => {
    const event = worstCaseEvent('\\'.repeat(MAX_BODY_BYTES_LIMIT));
    expect(bytesOf({ ...event, body: '' })).toBeLessThanOrEqual(EVENT_ENVELOPE_BYTES);
    expect(bytesOf(event)).toBeLessThanOrEqual(LAMBDA_PAYLOAD_BYTES);
  });

  it('is what the model says: the former 5 MiB limit did not fit, with any headers', () => {
    const event = worstCaseEvent('\\'.repeat(5 * 1024 * 1024));
    expect(bytesOf(event)).toBeGreaterThan(LAMBDA_PAYLOAD_BYTES);
  });
});

describe('maxBodyBytes in the config', () => {
  const parse = (text: string) => parseConfig(text, { file: 'limits.toml', env: {} });
  const sections = '[junoevent.sources.grafana]\nallowUnsigned = true\n[junoevent.sources.git]\nallowUnsigned = true\n';

  it('gives grafana and git the largest limit by default', () => {
    const config = parse(sections);
    expect(config.sources.grafana?.maxBodyBytes).toBe(MAX_BODY_BYTES_LIMIT);
    expect(config.sources.git?.maxBodyBytes).toBe(MAX_BODY_BYTES_LIMIT);
  });

  it('accepts the largest limit and refuses one byte more, naming the key and the maximum', () => {
    expect(parse(`${sections}maxBodyBytes = ${MAX_BODY_BYTES_LIMIT}\n`).sources.git?.maxBodyBytes).toBe(
      MAX_BODY_BYTES_LIMIT,
    );
    expect(() => parse(`${sections}maxBodyBytes = ${MAX_BODY_BYTES_LIMIT + 1}\n`)).toThrow(
      `junoevent config limits.toml: junoevent.sources.git.maxBodyBytes must be at most 3014656 bytes, the largest body whose API Gateway event fits Lambda's 6291456-byte invocation payload with the body's JSON escaping (see docs/senders.md, Body limits) (got a whole number)`,
    );
    expect(() => parse(`[junoevent]\nmaxBodyBytes = 6291456\n${sections}`)).toThrow(
      'junoevent.maxBodyBytes must be at most 3014656 bytes',
    );
  });
});

describe('a body over the route limit', () => {
  it('gets 413 from junoevent, and a body of exactly the limit reaches the route', async () => {
    const reached: number[] = [];
    const handler = httpHandler(
      async (request) => {
        reached.push(Buffer.byteLength(request.rawBody));
        return { status: 202, body: { events: [] } };
      },
      {
        name: 'git',
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
        maxBodyBytes: MAX_BODY_BYTES_LIMIT,
      },
    );
    const post = (body: string) =>
      handler(
        httpApiEvent({ path: '/webhooks/git', body, headers: { 'content-type': 'application/json' } }),
        lambdaContext(),
      );
    const over = await post('\\'.repeat(MAX_BODY_BYTES_LIMIT + 1));
    expect(over.statusCode).toBe(413);
    expect(JSON.parse(String(over.body))).toEqual({
      error: { code: 'payload_too_large', message: 'the body is 3014657 bytes; the limit is 3014656' },
    });
    expect((await post('\\'.repeat(MAX_BODY_BYTES_LIMIT))).statusCode).toBe(202);
    expect(reached).toEqual([MAX_BODY_BYTES_LIMIT]);
  });
});
