// Replay: publishes stored events of a filter to the topic again, for a new consumer or after an
// outage longer than the redrive's reach. It reads through the store's listing (the read API's
// indexes and cursors, newest first) and only publishes: stored events, delivery items and pending
// marks are never written. Each run does bounded work and hands back a resume token for the rest;
// every message carries the replay's id as the `replay_id` property.

import { randomBytes } from 'node:crypto';
import { SOURCES, sourcesOf } from '../event/catalog';
import type { AppEvent } from '../event/record';
import type { Log } from '../logger';
import { type MetricsSink, NO_METRICS } from '../metrics/catalogue';
import type { EventStore, ListQuery } from '../store/types';
import { encodeResumeToken, type ReplayFilter, type ReplayRequest, type ReplayState } from './replay-request';
import type { Publisher } from './types';

/** The message property that marks a replayed message; its value is the replay's id. */
export const REPLAY_PROPERTY = 'replay_id';
const PAGE_SIZE = 100;

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
  const { store, publisher, timeLeft } = options;
  const pageSize = options.pageSize ?? PAGE_SIZE;
  let state = startState(request, options);
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

  return finish(state, { count, stopped, error, done: state.listing >= listings.length }, options);
}

/** Where a run starts: the state its resume token carries, or a new replay of its filter. */
function startState(request: ReplayRequest, { newId, now }: ReplayOptions): ReplayState {
  if (request.kind === 'resume') return request.state;
  return {
    id: (newId ?? (() => replayId(now())))(),
    filter: { ...request.filter, until: request.filter.until ?? Math.floor(now() / 1000) },
    dryRun: request.dryRun,
    listing: 0,
    total: 0,
  };
}

/** The run's report, with a resume token unless it is done, and its log line. */
function finish(
  state: ReplayState,
  run: { count: number; stopped: ReplayReport['stopped']; error: string | undefined; done: boolean },
  { logger, resumeKey, metrics = NO_METRICS }: ReplayOptions,
): ReplayReport {
  const { count, error, done } = run;
  const total = state.total + count;
  const report: ReplayReport = {
    replay_id: state.id,
    filter: state.filter,
    dry_run: state.dryRun,
    count,
    total,
    done,
    stopped: done ? null : run.stopped,
    resume: done ? null : encodeResumeToken({ ...state, total }, resumeKey),
    ...(error === undefined ? {} : { error }),
  };
  metrics.add('ReplayEvents', { outcome: state.dryRun ? 'counted' : 'published' }, count);
  const { resume: _resume, ...attributes } = report;
  if (error !== undefined) logger.warn('replay stopped: a publish failed', attributes);
  else logger.info(done ? 'replay finished' : 'replay paused', attributes);
  return report;
}
