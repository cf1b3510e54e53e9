// The one middleware stack every HTTP function uses: header normalisation, the raw body kept as
// received (signatures are checked over it), one structured log line per request, and the one
// place where errors become responses.

import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { BadRequestError, HttpError, PayloadTooLargeError } from '../errors';
import { isPlainObject } from '../event/fields';
import type { Log } from '../logger';
import type { HttpRequest, HttpResult, Route } from './request';

export interface HttpFunctionOptions {
  name: string;
  logger: Log;
  maxBodyBytes: number;
}

type Handler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

export function httpFunction(route: Route, options: HttpFunctionOptions): Handler {
  const { name, logger, maxBodyBytes } = options;
  const started = new WeakMap<object, number>();
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(httpHeaderNormalizer())
    .use({
      before: (request) => {
        started.set(request.event, performance.now());
      },
      onError: (request) => {
        const result = errorResult(request.error);
        request.response = toResponse(result);
        logRequest(logger, name, request.event, request.context, result, started.get(request.event), request.error);
      },
    })
    .handler(async (event, context) => {
      const result = await route(toHttpRequest(event, maxBodyBytes));
      logRequest(logger, name, event, context, result, started.get(event));
      return toResponse(result);
    });
}

function toHttpRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number): HttpRequest {
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '',
    headers: event.headers ?? {},
    query: event.queryStringParameters ?? {},
    pathParameters: event.pathParameters ?? {},
    rawBody: decodeBody(event, maxBodyBytes),
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(event: APIGatewayProxyEventV2, maxBodyBytes: number): string {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : undefined;
  const size = bytes?.length ?? Buffer.byteLength(body);
  if (size > maxBodyBytes) {
    throw new PayloadTooLargeError(`the body is ${size} bytes; the limit is ${maxBodyBytes}`);
  }
  if (bytes === undefined) return body;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new BadRequestError('invalid_utf8', 'the body is not valid UTF-8');
  }
}

function errorResult(error: unknown): HttpResult {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message } },
      headers: error.status === 503 ? { 'retry-after': '5' } : {},
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'internal error; the function log has the details' } },
  };
}

function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.text !== undefined) {
    return {
      statusCode: result.status,
      headers: { 'content-type': result.text.contentType, ...result.headers },
      body: result.text.content,
    };
  }
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: JSON.stringify(result.body),
  };
}

function logRequest(
  logger: Log,
  name: string,
  event: APIGatewayProxyEventV2,
  context: Context,
  result: HttpResult,
  startedAt: number | undefined,
  error?: unknown,
): void {
  const body = isPlainObject(result.body) ? result.body : {};
  const failure = isPlainObject(body.error) ? body.error : undefined;
  const attributes: Record<string, unknown> = {
    function: name,
    method: event.requestContext?.http?.method,
    path: event.rawPath,
    request_id: context.awsRequestId,
    status: result.status,
    duration_ms: startedAt === undefined ? undefined : Math.round((performance.now() - startedAt) * 100) / 100,
    ...(failure ? { error_code: failure.code, error_message: failure.message } : {}),
    ...result.log,
  };
  if (result.status >= 500) {
    logger.error('request failed', { ...attributes, error: describeError(error) });
  } else if (result.status >= 400) {
    logger.warn('request rejected', attributes);
  } else {
    logger.info('request handled', attributes);
  }
}

/** Name, message and cause chain of an unexpected error, for the log only. */
function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}
