// What a route sees of an HTTP request and gives back, and the request readers every route shares.

import { BadRequestError, UnsupportedMediaTypeError } from '../errors';

export interface HttpRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  pathParameters: Readonly<Record<string, string | undefined>>;
  /** The body exactly as sent, decoded from base64 when API Gateway encoded it. */
  rawBody: string;
  /**
   * Milliseconds left before this request is answered 503 for running out of time (Infinity outside
   * Lambda). A route stops starting new work when it nears zero: what it has not finished by then is
   * answered as a failure, and the sender retries.
   */
  timeLeftMs: () => number;
}

export interface HttpResult {
  status: number;
  body: unknown;
  /** A body sent as is, with its media type, instead of `body` as JSON (the page and its files). */
  text?: { contentType: string; content: string };
  headers?: Record<string, string>;
  /** Extra attributes for the request's log line (ids, operations); never secrets or bodies. */
  log?: Record<string, unknown>;
}

export type Route = (request: HttpRequest) => Promise<HttpResult>;

/** The request's media type, lower-case, without parameters ("" when absent). */
export function mediaType(request: HttpRequest): string {
  return request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
}

/** 415 unless the request says it carries JSON. */
export function requireJsonContent(request: HttpRequest): void {
  const type = mediaType(request);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    const got = type ? 'another media type' : 'none';
    throw new UnsupportedMediaTypeError(`content-type must be application/json (got ${got})`);
  }
}

/**
 * Parses a JSON body. A parse error names the position only: the parser's own message quotes the
 * body, which may hold secrets, so it never reaches the response or the log.
 */
export function parseJsonBody(rawBody: string): unknown {
  if (rawBody.trim() === '') throw new BadRequestError('empty_body', 'the body is empty; a JSON object is expected');
  try {
    return JSON.parse(rawBody);
  } catch (error) {
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    const where = position === undefined ? '' : ` (at byte offset ${position} or before)`;
    throw new BadRequestError('malformed_json', `the body is not valid JSON${where}`);
  }
}

/** The credentials of an Authorization header, if it has a scheme we read. */
export function parseAuthorization(
  header: string | undefined,
): { scheme: 'bearer'; token: string } | { scheme: 'basic'; username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^(\w+)\s+(\S+)\s*$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2] ?? '';
  if (scheme === 'bearer') return { scheme, token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { scheme, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
