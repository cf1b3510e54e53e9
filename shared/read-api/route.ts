// GET /events/{id}, GET /events/{id}/context, GET /events and GET /status: the read API, behind a bearer token.
// A listing with include=headline carries each event's headline beside it; the records stay as stored.

import { sameAsAny } from '../crypto';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../errors';
import { isOperation, isSource, type Operation, type Source, sourcesOf } from '../event/catalog';
import { headlines } from '../event/headline';
import { type HttpRequest, type HttpResult, parseAuthorization, type Route } from '../http/request';
import type { Publisher } from '../publishing/types';
import type { EventStore, ListQuery } from '../store/types';
import { eventContext, parseContextQuery } from './context';
import { readStatus } from './status';

/** What the read API reads: the store, the clock (unix ms), and whether publishing is on. */
export interface ReadApiDeps {
  store: EventStore;
  now: () => number;
  publisher: Publisher | undefined;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const LIST_PARAMETERS = ['app_name', 'env', 'source', 'operation', 'since', 'until', 'limit', 'cursor', 'include'];

/** `tokens`: the accepted bearer tokens (the current one, and the previous one during a rotation). */
export function readApiRoute(tokens: () => Promise<readonly string[]>, deps: ReadApiDeps): Route {
  const { store, now } = deps;
  const publishing = deps.publisher !== undefined;
  return async (request: HttpRequest): Promise<HttpResult> => {
    authorize(request, await tokens());
    const idText = request.pathParameters.id;
    if (idText === undefined && request.path.endsWith('/status')) {
      if (Object.keys(request.query).length > 0)
        throw new BadRequestError('invalid_query', 'GET /status takes no query');
      const body = await readStatus(store, { now, publishing });
      return { status: 200, body, log: { pending: body.backlog.pending } };
    }
    if (idText !== undefined) {
      const id = parseId(idText);
      const context = request.path.endsWith('/context') ? parseContextQuery(request.query) : undefined;
      const record = await store.get(id);
      if (record === undefined) throw new NotFoundError(`no event has id ${id}`);
      if (context === undefined) return { status: 200, body: record, log: { event_ids: [id] } };
      const body = await eventContext(store, record, context);
      return { status: 200, body, log: { event_ids: [id], before: body.before.length, after: body.after.length } };
    }
    const withHeadlines = parseInclude(request.query.include);
    const result = await store.list(parseListQuery(request.query));
    const page = { events: result.events, next_cursor: result.nextCursor ?? null };
    return {
      status: 200,
      body: withHeadlines ? { ...page, headlines: headlines(result.events) } : page,
      log: { returned: result.events.length },
    };
  };
}

function authorize(request: HttpRequest, tokens: readonly string[]): void {
  const header = request.headers.authorization;
  if (header === undefined) {
    throw new UnauthorizedError('missing_token', 'Authorization: Bearer <junoevent.api.token> is required');
  }
  const credentials = parseAuthorization(header);
  const given = credentials?.scheme === 'bearer' ? credentials.token : undefined;
  if (given === undefined || !sameAsAny(given, tokens)) {
    throw new UnauthorizedError('invalid_token', 'the bearer token is not the configured junoevent.api.token');
  }
}

function parseId(text: string): number {
  const id = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new BadRequestError('invalid_id', 'the event id must be a positive whole number');
  }
  return id;
}

function parseListQuery(query: Readonly<Record<string, string | undefined>>): ListQuery {
  for (const name of Object.keys(query)) {
    if (!LIST_PARAMETERS.includes(name)) {
      throw new BadRequestError(
        'invalid_query',
        `a query parameter is not one of the known: ${LIST_PARAMETERS.join(', ')}`,
      );
    }
  }
  const source = optionalSource(query.source);
  const operation = optionalOperation(query.operation);
  const app_name = nonEmpty(query.app_name);
  const since = optionalSeconds('since', query.since);
  const until = optionalSeconds('until', query.until);
  if (since !== undefined && until !== undefined && since > until) {
    throw new BadRequestError('invalid_query', 'since must not be after until');
  }
  return {
    app_name,
    source: source ?? (app_name === undefined ? sourceForOperation(operation) : undefined),
    operation,
    env: nonEmpty(query.env),
    since,
    until,
    limit: optionalLimit(query.limit),
    cursor: nonEmpty(query.cursor),
  };
}

/** include=headline asks for the headlines beside the events; nothing else can be included. */
function parseInclude(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value !== 'headline') throw new BadRequestError('invalid_query', 'include must be "headline"');
  return true;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function optionalSource(value: string | undefined): Source | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isSource(value))
    throw new BadRequestError('invalid_query', `source must be one of confgo, git, devops, grafana`);
  return value;
}

function optionalOperation(value: string | undefined): Operation | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isOperation(value)) throw new BadRequestError('invalid_query', 'operation must be an operation of the catalog');
  return value;
}

/** Listing needs an index key: app_name, source, or an operation that names its source. */
function sourceForOperation(operation: Operation | undefined): Source {
  if (operation === undefined) {
    throw new BadRequestError('invalid_query', 'give app_name, source or operation to list events');
  }
  const [only, ...others] = sourcesOf(operation);
  if (only === undefined || others.length > 0) {
    throw new BadRequestError(
      'invalid_query',
      `operation ${operation} is recorded by several sources: add source= or app_name=`,
    );
  }
  return only;
}

function optionalSeconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = /^\d{1,11}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seconds)) throw new BadRequestError('invalid_query', `${name} must be unix seconds`);
  return seconds;
}

function optionalLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LIMIT;
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new BadRequestError('invalid_query', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}
