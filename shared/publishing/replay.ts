// Replay: publishes stored events of a filter to the topic again, for a new consumer or after an
// outage longer than the redrive's reach. It reads through the store's listing (the read API's
// indexes and cursors, newest first) and only publishes: stored events, delivery items and pending
// marks are never written. Each run does bounded work and hands back a resume token for the rest;
// every message carries the replay's id as the `replay_id` property. A resume token is signed with
// the replay function's key: a token it did not hand out, or one changed since, is refused.

import { randomBytes } from 'node:crypto';
import { hmacBase64url, sameSecret } from '../crypto';
import { FieldError } from '../errors';
import { isOperation, isSource, type Operation, SOURCES, type Source, sourcesOf } from '../event/catalog';
import { ObjectReader } from '../event/fields';
import type { AppEvent } from '../event/record';
import type { Log } from '../logger';
import { type MetricsSink, NO_METRICS } from '../metrics/catalogue';
import type { EventStore, ListQuery } from '../store/types';
import type { Publisher } from './types';

/** The message property that marks a replayed message; its value is the replay's id. */
export const REPLAY_PROPERTY = 'replay_id';
export const DEFAULT_REPLAY_MAX_EVENTS = 1000;
const MAX_REPLAY_MAX_EVENTS = 100_000;
const PAGE_SIZE = 100;

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

export interface ReplayReport {
  replay_id: string;
  filter: ReplayFilter;
  dry_run: boolean;
  /** Published in this run; in a dry run, counted. */
  count: number;
  /** Over every run of this replay so far. */
  total: number;
  done: boolean;
  /** Why this run stopped before the end. */
  stopped: 'max_events' | 'time' | 'publish_failed' | null;
  /** Give it back as {"resume": "…"} to go on; null once done. */
  resume: string | null;
  error?: string;
}

export interface ReplayOptions {
  store: Pick<EventStore, 'list'>;
  /** Needed unless the request is a dry run. */
  publisher: Publisher | undefined;
  logger: Log;
  /** Where the run's count is reported (ReplayEvents); nowhere when not given. */
  metrics?: MetricsSink;
  /** Unix milliseconds. */
  now: () => number;
  /** False once the run must stop (the function's time is nearly up). */
  timeLeft: () => boolean;
  /** The key that signs resume tokens (the replay function's secret). */
  resumeKey: string;
  /** A new replay id (tests pass their own). */
  newId?: () => string;
  pageSize?: number;
}

/** A replay id: the start time and a random part, e.g. `rp-20261201T101500Z-3fa9c1d2`. */
export function replayId(nowMs: number): string {
  const time = new Date(nowMs).toISOString().replace(/[-:]|\.\d+/g, '');
  return `rp-${time}-${randomBytes(4).toString('hex')}`;
}

/** The listings a filter reads: the read API's, one per source when no app or source narrows it. */
export function replayListings(filter: ReplayFilter): Omit<ListQuery, 'limit' | 'cursor'>[] {
  const base = {
    app_name: filter.app_name,
    source: filter.source,
    operation: filter.operation,
    env: filter.env,
    since: filter.since,
    until: filter.until,
  };
  if (filter.app_name !== undefined || filter.source !== undefined) return [base];
  const sources = filter.operation === undefined ? SOURCES : sourcesOf(filter.operation);
  return sources.map((source) => ({ ...base, source }));
}

/** Newest first, as the listing returns them: does `event` come after the position [create_time, id]? */
function isAfter(event: AppEvent, [time, id]: readonly [number, number]): boolean {
  return event.create_time < time || (event.create_time === time && event.id < id);
}

/** One run of a replay: publishes (or counts) up to `maxEvents` events, then stops with a resume token. */
export async function replay(request: ReplayRequest, options: ReplayOptions): Promise<ReplayReport> {
  const { store, publisher, logger, now, timeLeft } = options;
  const pageSize = options.pageSize ?? PAGE_SIZE;
  let state: ReplayState =
    request.kind === 'resume'
      ? request.state
      : {
          id: (options.newId ?? (() => replayId(now())))(),
          filter: { ...request.filter, until: request.filter.until ?? Math.floor(now() / 1000) },
          dryRun: request.dryRun,
          listing: 0,
          total: 0,
        };
  if (!state.dryRun && publisher === undefined) {
    throw new Error('replay needs publishing: set [junoevent.rocketmq] enable = true (or ask for a dry run)');
  }
  const listings = replayListings(state.filter);
  const properties = { [REPLAY_PROPERTY]: state.id };
  let count = 0;
  let stopped: ReplayReport['stopped'] = null;
  let error: string | undefined;

  run: while (state.listing < listings.length) {
    if (count >= request.maxEvents) {
      stopped = 'max_events';
      break;
    }
    if (!timeLeft()) {
      stopped = 'time';
      break;
    }
    const listing = listings[state.listing];
    if (listing === undefined) break;
    const page = await store.list({
      ...listing,
      limit: Math.min(pageSize, request.maxEvents - count),
      cursor: state.cursor,
    });
    for (const event of page.events) {
      // A resumed run reads its first page again: what the last run did there is skipped. Pages run
      // newest first, so the last event done marks the place on any later page of this listing too.
      if (state.after !== undefined && !isAfter(event, state.after)) continue;
      if (!state.dryRun) {
        if (!timeLeft()) {
          stopped = 'time';
          break run;
        }
        try {
          await publisher?.publish(event, { properties });
        } catch (failure) {
          stopped = 'publish_failed';
          error = failure instanceof Error ? failure.message : String(failure);
          break run;
        }
      }
      count += 1;
      state = { ...state, after: [event.create_time, event.id] };
    }
    state =
      page.nextCursor === undefined
        ? { ...state, listing: state.listing + 1, cursor: undefined, after: undefined }
        : { ...state, cursor: page.nextCursor };
  }

  const done = state.listing >= listings.length;
  const total = state.total + count;
  const report: ReplayReport = {
    replay_id: state.id,
    filter: state.filter,
    dry_run: state.dryRun,
    count,
    total,
    done,
    stopped: done ? null : stopped,
    resume: done ? null : encodeResumeToken({ ...state, total }, options.resumeKey),
    ...(error === undefined ? {} : { error }),
  };
  const attributes = {
    replay_id: report.replay_id,
    filter: report.filter,
    dry_run: report.dry_run,
    count,
    total,
    done,
    stopped: report.stopped,
    ...(error === undefined ? {} : { error }),
  };
  (options.metrics ?? NO_METRICS).add('ReplayEvents', { outcome: state.dryRun ? 'counted' : 'published' }, count);
  if (error !== undefined) logger.warn('replay stopped: a publish failed', attributes);
  else logger.info(done ? 'replay finished' : 'replay paused', attributes);
  return report;
}

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
