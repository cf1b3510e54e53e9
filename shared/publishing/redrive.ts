// The redrive: publishes every event still pending after a grace period, oldest first, in batches
// read from every shard of the pending table, up to `concurrency` publishes at a time, with backoff
// per event, until the function's time is nearly up; it stops early when the broker keeps failing.
// Then it reports the backlog (count, age of the oldest) in the log and as metrics.

import { idTime, maxIdAt } from '../event/ids';
import type { Log } from '../logger';
import { type MetricsSink, NO_METRICS } from '../metrics/catalogue';
import type { PendingEvent, PublishingState } from '../store/types';
import type { Publisher } from './types';

export interface RedriveOptions {
  store: PublishingState;
  publisher: Publisher;
  logger: Log;
  /** Where the backlog is reported (PendingEvents, OldestPendingAgeSeconds); nowhere when not given. */
  metrics?: MetricsSink;
  /** Unix milliseconds. */
  now: () => number;
  /** False once the run must stop (the function's time is nearly up). */
  timeLeft: () => boolean;
  /** Events younger than this are left to the webhook that is publishing them. */
  graceMs?: number;
  /** Pending events looked at per read (across all shards). */
  batchSize?: number;
  /** Most events one run publishes or fails. */
  maxEvents?: number;
  /** Publishes in flight at once. */
  concurrency?: number;
}

export interface RedriveReport {
  published: number;
  failed: number;
  /** Stopped early because the broker kept failing. */
  brokerDown: boolean;
  backlog: number;
  backlogCapped: boolean;
  oldestPendingAgeSeconds: number | null;
}

export const REDRIVE_GRACE_MS = 60_000;
const CONSECUTIVE_FAILURES_TO_STOP = 3;
const BACKLOG_COUNT_CAP = 100_000;

/** Wait before the next try of an event that failed `attempts` times: 30 s doubling, at most 15 min. */
export function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(attempts - 1, 0), 15 * 60_000);
}

export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const { store, publisher, logger, now, timeLeft } = options;
  const batchSize = options.batchSize ?? 500;
  const maxEvents = options.maxEvents ?? 200_000;
  const concurrency = options.concurrency ?? 32;
  const maxId = maxIdAt(now() - (options.graceMs ?? REDRIVE_GRACE_MS));
  let published = 0;
  let failed = 0;
  let consecutiveFailures = 0;
  let started = 0;
  let after: string | undefined;
  // No publish starts once the broker has failed CONSECUTIVE_FAILURES_TO_STOP times in a row (those
  // in flight finish), the function's time is nearly up, or maxEvents have started.
  const stop = () => consecutiveFailures >= CONSECUTIVE_FAILURES_TO_STOP || !timeLeft() || started >= maxEvents;

  const publishOne = async ({ record, attempts }: PendingEvent) => {
    started += 1;
    try {
      await publisher.publish(record);
      await store.markPublished(record.id);
      published += 1;
      consecutiveFailures = 0;
    } catch (error) {
      failed += 1;
      consecutiveFailures += 1;
      await store.markPublishFailed(record.id, attempts + 1, now() + backoffMs(attempts + 1));
      logger.warn('redrive publish failed', {
        event_id: record.id,
        attempts: attempts + 1,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  while (!stop()) {
    const { due, unwritten, next } = await store.pendingEvents({ maxId, limit: batchSize, after });
    // A mark whose event was never written (its copy stopped between the two writes): close the id,
    // so no late write can store an unmarked event there, then drop the mark. When an event holds
    // the id after all, the mark stays and the next run publishes it.
    for (const id of unwritten) {
      if (stop()) break;
      if (await store.closeId(id)) await store.markPublished(id);
    }
    // Oldest first, `concurrency` at a time; none starts once the run must stop.
    let index = 0;
    const worker = async () => {
      for (let item = due[index++]; item !== undefined && !stop(); item = due[index++]) await publishOne(item);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    if (next === undefined) break;
    after = next;
  }

  const backlog = await store.backlog(BACKLOG_COUNT_CAP);
  const report: RedriveReport = {
    published,
    failed,
    brokerDown: consecutiveFailures >= CONSECUTIVE_FAILURES_TO_STOP,
    backlog: backlog.count,
    backlogCapped: backlog.capped,
    oldestPendingAgeSeconds:
      backlog.oldestId === undefined ? null : Math.max(0, Math.round((now() - idTime(backlog.oldestId)) / 1000)),
  };
  logger.info('redrive finished', { ...report });
  const metrics = options.metrics ?? NO_METRICS;
  metrics.add('PendingEvents', {}, report.backlog);
  metrics.add('OldestPendingAgeSeconds', {}, report.oldestPendingAgeSeconds ?? 0);
  return report;
}
