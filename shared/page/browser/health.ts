// The strip at the top of the page: GET /status as a few short lines — what is waiting to be
// published and since when, how recent the stream is, and each source's newest event. Its own failure only
// says so in the strip: the events below still load.

import { failure, isFailure, type ReadApi } from './api';
import { when } from './format';

/** The fields of GET /status the strip shows, checked on arrival. */
export interface PageStatus {
  now: number;
  publishing: boolean;
  backlog: { pending: number; capped: boolean; oldest_pending_age_seconds: number | null };
  last_published_event_at: number | null;
  sources: { source: string; last_event_at: number | null }[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): number | null | undefined {
  return value === null || typeof value === 'number' ? value : undefined;
}

/** GET /status's answer, checked: an answer of another shape is treated as the API failing. */
export function readStatusBody(body: unknown): PageStatus {
  const unexpected = () => failure('unavailable', 200, 'the API answered GET /status with an unexpected body');
  if (!isObject(body) || !isObject(body.backlog) || !Array.isArray(body.sources)) throw unexpected();
  const { now, publishing, backlog } = body;
  const lastPublish = numberOrNull(body.last_published_event_at);
  const oldest = numberOrNull(backlog.oldest_pending_age_seconds);
  const sources = body.sources.flatMap((entry: unknown) => {
    const at = isObject(entry) ? numberOrNull(entry.last_event_at) : undefined;
    return isObject(entry) && typeof entry.source === 'string' && at !== undefined
      ? [{ source: entry.source, last_event_at: at }]
      : [];
  });
  if (
    typeof now !== 'number' ||
    typeof publishing !== 'boolean' ||
    typeof backlog.pending !== 'number' ||
    typeof backlog.capped !== 'boolean' ||
    lastPublish === undefined ||
    oldest === undefined ||
    sources.length !== body.sources.length
  ) {
    throw unexpected();
  }
  return {
    now,
    publishing,
    backlog: { pending: backlog.pending, capped: backlog.capped, oldest_pending_age_seconds: oldest },
    last_published_event_at: lastPublish,
    sources,
  };
}

/** A duration as a person reads it: 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The strip's lines, in order. */
export function statusLines(status: PageStatus): string[] {
  const { backlog } = status;
  const pending = `${backlog.pending}${backlog.capped ? '+' : ''} pending`;
  const oldest = backlog.oldest_pending_age_seconds;
  const lines = status.publishing
    ? [
        oldest === null ? `Backlog: ${pending}` : `Backlog: ${pending}, oldest ${age(oldest)}`,
        `Newest published: ${status.last_published_event_at === null ? 'none yet' : `stored ${when(status.last_published_event_at)}`}`,
      ]
    : ['Publishing off: events are only stored'];
  for (const { source, last_event_at } of status.sources) {
    lines.push(`${source}: ${last_event_at === null ? 'no events yet' : `last event ${when(last_event_at)}`}`);
  }
  return lines;
}

/** Reads GET /status and shows it in `strip`, one item per line. */
export async function loadHealth(api: ReadApi, strip: HTMLElement): Promise<void> {
  let lines: string[];
  try {
    lines = statusLines(readStatusBody(await api('status')));
  } catch (error) {
    lines = [`Status unavailable: ${isFailure(error) ? error.message : String(error)}`];
  }
  strip.replaceChildren(
    ...lines.map((text) => {
      const item = document.createElement('li');
      item.textContent = text;
      return item;
    }),
  );
}
