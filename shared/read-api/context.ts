// GET /events/{id}/context: an event with the changes of its app before it and, for a change, the
// alerts of its app after it, each with its headline. Reads are bounded: at most MAX_PAGES listing
// pages of PAGE_SIZE events per window, through the store's own listing by app and time.

import { BadRequestError } from '../errors';
import {
  alertsAfter,
  changesBefore,
  contextWindows,
  DEFAULT_AFTER_SECONDS,
  DEFAULT_BEFORE_SECONDS,
  MAX_WINDOW_SECONDS,
} from '../event/context';
import { headline } from '../event/headline';
import type { AppEvent } from '../event/record';
import type { EventReads, ListQuery } from '../store/types';

const PARAMETERS = ['before_seconds', 'after_seconds', 'env', 'limit'];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 50;
/** Events read per listing page, and pages read per window at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;

export interface ContextQuery {
  beforeSeconds: number;
  afterSeconds: number;
  /** Only events of the event's own env. */
  sameEnv: boolean;
  /** Entries per list at most: the newest. */
  limit: number;
}

export interface ContextEntry {
  record: AppEvent;
  headline: string;
}

export interface ContextBody {
  event: ContextEntry;
  before: ContextEntry[];
  after: ContextEntry[];
}

const entry = (record: AppEvent): ContextEntry => ({ record, headline: headline(record) });

export async function eventContext(store: EventReads, event: AppEvent, query: ContextQuery): Promise<ContextBody> {
  const windows = contextWindows(event, { before: query.beforeSeconds, after: query.afterSeconds });
  // An event with no app (an alert whose labels name none) has no app to relate it to.
  if (event.app_name === '') return { event: entry(event), before: [], after: [] };
  const scope = { app_name: event.app_name, env: query.sameEnv ? event.env : undefined };
  const [before, after] = await Promise.all([
    gather(store, { ...scope, ...windows.before }, query.limit, (read) =>
      changesBefore(event, read, windows, query.sameEnv),
    ),
    windows.after === undefined
      ? Promise.resolve([])
      : gather(store, { ...scope, source: 'grafana', ...windows.after }, query.limit, (read) =>
          alertsAfter(event, read, windows, query.sameEnv),
        ),
  ]);
  return { event: entry(event), before: before.map(entry), after: after.map(entry) };
}

/** Reads a window newest first until `limit` events are selected, the window ends, or MAX_PAGES were read. */
async function gather(
  store: EventReads,
  query: Omit<ListQuery, 'limit' | 'cursor'>,
  limit: number,
  select: (read: AppEvent[]) => AppEvent[],
): Promise<AppEvent[]> {
  const read: AppEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await store.list({ ...query, limit: PAGE_SIZE, cursor });
    read.push(...result.events);
    cursor = result.nextCursor;
    if (cursor === undefined || select(read).length >= limit) break;
  }
  return select(read).slice(0, limit);
}

export function parseContextQuery(query: Readonly<Record<string, string | undefined>>): ContextQuery {
  for (const name of Object.keys(query)) {
    if (!PARAMETERS.includes(name)) {
      throw new BadRequestError(
        'invalid_query',
        `unknown query parameter for a context (known: ${PARAMETERS.join(', ')})`,
      );
    }
  }
  const env = query.env ?? 'any';
  if (env !== 'any' && env !== 'same') throw new BadRequestError('invalid_query', 'env must be "same" or "any"');
  return {
    beforeSeconds: whole('before_seconds', query.before_seconds, DEFAULT_BEFORE_SECONDS, MAX_WINDOW_SECONDS),
    afterSeconds: whole('after_seconds', query.after_seconds, DEFAULT_AFTER_SECONDS, MAX_WINDOW_SECONDS),
    sameEnv: env === 'same',
    limit: whole('limit', query.limit, DEFAULT_LIMIT, MAX_LIMIT, 1),
  };
}

function whole(name: string, value: string | undefined, fallback: number, max: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const number = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) {
    throw new BadRequestError('invalid_query', `${name} must be a whole number from ${min} to ${max}`);
  }
  return number;
}
