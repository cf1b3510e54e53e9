// What a replay is asked to do: its filter from the function's input or the script's options, or a
// signed resume token that carries where an earlier run stopped. A resume token is signed with the
// replay function's key: a token it did not hand out, or one changed since, is refused.

import { hmacBase64url, sameSecret } from '../crypto';
import { FieldError } from '../errors';
import { isOperation, isSource, type Operation, SOURCES, type Source, sourcesOf } from '../event/catalog';
import { ObjectReader } from '../json';

export const DEFAULT_REPLAY_MAX_EVENTS = 1000;
const MAX_REPLAY_MAX_EVENTS = 100_000;

export interface ReplayFilter {
  app_name?: string | undefined;
  source?: Source | undefined;
  operation?: Operation | undefined;
  env?: string | undefined;
  /** Unix seconds, inclusive, on create_time. */
  since: number;
  /** Unix seconds, inclusive; when not given, the time the replay started. */
  until: number;
}

/** Where a replay stands between runs: what its resume token carries. */
export interface ReplayState {
  id: string;
  filter: ReplayFilter;
  dryRun: boolean;
  /** Index of the listing being read (one per source when the filter names no app or source). */
  listing: number;
  /** The store cursor where the current page starts. */
  cursor?: string | undefined;
  /** The last event done in this listing, as [create_time, id]: a resumed run starts after it. */
  after?: readonly [number, number] | undefined;
  /** Events published (or counted) by the earlier runs. */
  total: number;
}

export type ReplayRequest =
  | {
      kind: 'start';
      filter: Omit<ReplayFilter, 'until'> & { until?: number | undefined };
      dryRun: boolean;
      maxEvents: number;
    }
  | { kind: 'resume'; state: ReplayState; maxEvents: number };

/** What a resume token's tag covers besides the state: a tag made for anything else never matches. */
const TOKEN_CONTEXT = 'junoevent replay resume token v1\n';

/** The state as `<state, base64url JSON>.<HMAC-SHA256 of it with the replay key, base64url>`. */
export function encodeResumeToken(state: ReplayState, key: string): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${hmacBase64url(key, TOKEN_CONTEXT + payload)}`;
}

/**
 * A resume token back into the state it carries. Its tag is checked (in constant time) before
 * anything in it is read: a token this replay key did not sign, or one changed since (a dry run made
 * real, a wider filter, another replay id, another position), is a FieldError and nothing runs.
 */
export function decodeResumeToken(token: string, key: string): ReplayState {
  const dot = token.lastIndexOf('.');
  const payload = dot < 0 ? token : token.slice(0, dot);
  const tag = dot < 0 ? '' : token.slice(dot + 1);
  if (!sameSecret(tag, hmacBase64url(key, TOKEN_CONTEXT + payload))) {
    throw new FieldError(
      'resume',
      'a resume token a replay run of this deployment returned, unchanged: its signature does not match',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new FieldError('resume', 'a resume token that a replay run returned');
  }
  const reader = ObjectReader.of(parsed, 'resume');
  reader.onlyKeys(['id', 'filter', 'dryRun', 'listing', 'cursor', 'after', 'total']);
  const filterReader = reader.child('filter');
  if (filterReader === undefined) throw new FieldError('resume.filter', 'present');
  const filter = readFilter(filterReader);
  const id = reader.string('id', { nonEmpty: true, max: 64 });
  if (!/^[A-Za-z0-9_.:-]+$/.test(id)) throw new FieldError('resume.id', 'a replay id', id);
  const { until } = filter;
  if (until === undefined) throw new FieldError('resume.filter.until', 'present');
  return {
    id,
    filter: { ...filter, until },
    dryRun: reader.optionalBoolean('dryRun') ?? false,
    listing: reader.optionalInteger('listing', { max: SOURCES.length }) ?? 0,
    cursor: reader.optionalString('cursor', { nonEmpty: true, max: 2048 }),
    after: readPosition(reader.raw('after')),
    total: reader.optionalInteger('total') ?? 0,
  };
}

function readPosition(value: unknown): [number, number] | undefined {
  if (value === undefined) return undefined;
  const [time, id, ...rest] = Array.isArray(value) ? value : [];
  if (typeof time !== 'number' || typeof id !== 'number' || rest.length > 0) {
    throw new FieldError('resume.after', '[create_time, id]');
  }
  return [time, id];
}

/**
 * What a replay is asked to do, from the function's input or the script's options:
 * `{"app_name"?, "source"?, "operation"?, "env"?, "since", "until"?, "dry_run"?, "max_events"?}`, or
 * `{"resume": "<token>", "max_events"?}`. Times are unix seconds or ISO 8601 strings. A token is
 * checked with `resumeKey`, the key the runs sign their tokens with.
 */
export function parseReplayRequest(input: unknown, resumeKey: string): ReplayRequest {
  const reader = ObjectReader.of(input ?? {}, '');
  const maxEvents =
    reader.optionalInteger('max_events', { min: 1, max: MAX_REPLAY_MAX_EVENTS }) ?? DEFAULT_REPLAY_MAX_EVENTS;
  const token = reader.optionalString('resume', { nonEmpty: true, max: 8192 });
  if (token !== undefined) {
    reader.onlyKeys(['resume', 'max_events']);
    return { kind: 'resume', state: decodeResumeToken(token, resumeKey), maxEvents };
  }
  reader.onlyKeys(['app_name', 'source', 'operation', 'env', 'since', 'until', 'dry_run', 'max_events']);
  const filter = readFilter(reader);
  return { kind: 'start', filter, dryRun: reader.optionalBoolean('dry_run') ?? false, maxEvents };
}

function readFilter(reader: ObjectReader): Omit<ReplayFilter, 'until'> & { until?: number | undefined } {
  const source = reader.optionalString('source');
  if (source !== undefined && !isSource(source)) {
    throw new FieldError(reader.at('source'), `one of ${SOURCES.join(', ')}`, source);
  }
  const operation = reader.optionalString('operation');
  if (operation !== undefined && !isOperation(operation)) {
    throw new FieldError(reader.at('operation'), 'an operation of the catalog', operation);
  }
  if (source !== undefined && operation !== undefined && !sourcesOf(operation).includes(source)) {
    throw new FieldError(reader.at('operation'), `an operation of source ${source}`, operation);
  }
  const since = readTime(reader, 'since');
  if (since === undefined) {
    throw new FieldError(reader.at('since'), 'present: the start of the range (unix seconds or ISO 8601; 0 for all)');
  }
  const until = readTime(reader, 'until');
  if (until !== undefined && until < since) throw new FieldError(reader.at('until'), 'not before since');
  return {
    app_name: reader.optionalString('app_name', { nonEmpty: true, max: 255 }),
    source,
    operation,
    env: reader.optionalString('env', { nonEmpty: true, max: 255 }),
    since,
    until,
  };
}

/** Unix seconds, or an ISO 8601 time ("2026-12-01T10:00:00Z"). */
function readTime(reader: ObjectReader, key: string): number | undefined {
  if (!reader.has(key)) return undefined;
  const value = reader.raw(key);
  const expected = 'unix seconds or an ISO 8601 time such as "2026-12-01T10:00:00Z"';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0 || value > 99_999_999_999) {
      throw new FieldError(reader.at(key), expected, value);
    }
    return value;
  }
  if (typeof value === 'string') {
    if (/^\d{1,11}$/.test(value)) return Number(value);
    const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(ms) && ms >= 0) return Math.floor(ms / 1000);
  }
  throw new FieldError(reader.at(key), expected, value);
}
