// GET /status: what an operator checks first. The pending backlog and the age of its oldest event,
// and per source the newest stored event and whether it has been published. Read-only: it adds no
// write to the webhooks' path.
//
// What each figure means:
// - a source's last event is its newest event in the listing order (create_time, then id); the time
//   given is when it was stored, read from its id.
// - last_event_pending: whether that event still waits to be published (its mark is there); null with
//   no event, or with publishing off.
// - last_published_event_at: when the newest of those events that are published was stored: a lower
//   bound of how recent the stream is. Null when none of them is published, or publishing is off.
//   (When an event was published is not kept: the event item is written once and never rewritten.)
// - refusals are not stored (a write per refused request would let anyone drive the table's writes):
//   last_refusal_at is null and refusals_recorded false. The Requests metric counts them per webhook
//   function (outcome unauthorized or refused).

import { SOURCES, type Source } from '../event/catalog';
import { idTime } from '../event/ids';
import type { EventStore } from '../store/types';

/** Pending events counted at most: enough to tell a stuck stream, bounded in reads. */
export const STATUS_BACKLOG_CAP = 10_000;

export interface SourceStatus {
  source: Source;
  last_event_id: number | null;
  /** Unix seconds. */
  last_event_at: number | null;
  last_event_pending: boolean | null;
  last_refusal_at: null;
}

export interface Status {
  /** Unix seconds. */
  now: number;
  publishing: boolean;
  backlog: {
    pending: number;
    /** True when there are more pending events than were counted. */
    capped: boolean;
    oldest_pending_id: number | null;
    oldest_pending_age_seconds: number | null;
  };
  /** Unix seconds. */
  last_published_event_at: number | null;
  refusals_recorded: false;
  sources: SourceStatus[];
}

export interface StatusOptions {
  /** Unix milliseconds. */
  now: () => number;
  publishing: boolean;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export async function readStatus(
  store: Pick<EventStore, 'list' | 'backlog' | 'isMarked'>,
  options: StatusOptions,
): Promise<Status> {
  // One after the other: each already reads every shard of its index at once.
  const backlog = await store.backlog(STATUS_BACKLOG_CAP);
  const sources = await Promise.all(SOURCES.map((source) => sourceStatus(store, source, options.publishing)));
  const nowMs = options.now();
  const oldest = backlog.oldestId;
  const published = sources.flatMap((source) =>
    source.last_event_pending === false && source.last_event_at !== null ? [source.last_event_at] : [],
  );
  return {
    now: seconds(nowMs),
    publishing: options.publishing,
    backlog: {
      pending: backlog.count,
      capped: backlog.capped,
      oldest_pending_id: oldest ?? null,
      oldest_pending_age_seconds: oldest === undefined ? null : Math.max(0, seconds(nowMs - idTime(oldest))),
    },
    last_published_event_at: published.length === 0 ? null : Math.max(...published),
    refusals_recorded: false,
    sources,
  };
}

async function sourceStatus(
  store: Pick<EventStore, 'list' | 'isMarked'>,
  source: Source,
  publishing: boolean,
): Promise<SourceStatus> {
  const [newest] = (await store.list({ source, limit: 1 })).events;
  return {
    source,
    last_event_id: newest?.id ?? null,
    last_event_at: newest === undefined ? null : seconds(idTime(newest.id)),
    last_event_pending: newest === undefined || !publishing ? null : await store.isMarked(newest.id),
    last_refusal_at: null,
  };
}
