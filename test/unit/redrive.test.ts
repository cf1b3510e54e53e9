// The redrive's own rules, with a failing or counting publisher and a fake clock: backoff, stopping
// after consecutive failures, maxEvents and timeLeft. The store is an in-memory stand-in for the
// pending operations only; test/integration/broker.test.ts runs the redrive against DynamoDB and a
// real broker.

import { describe, expect, it } from 'vitest';
import { maxIdAt } from '../../shared/event/ids';
import { backoffMs, redrive } from '../../shared/publishing/redrive';
import type { Publisher } from '../../shared/publishing/types';
import type { PendingEvent, PublishingState } from '../../shared/store/types';
import { plainRecord } from '../support/records';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const T0 = Date.UTC(2026, 10, 1);

interface Pending {
  attempts: number;
  retryAt: number | undefined;
}

/**
 * The pending operations of a store over a map of id → state, oldest id first. `unwritten`: marked
 * ids whose event was never stored; `lateWrites`: of those, the ids whose event lands before the
 * redrive can close them.
 */
function memoryStore(ids: number[], unwrittenIds: number[] = [], lateWrites: number[] = []) {
  const pending = new Map<number, Pending>(
    [...ids, ...unwrittenIds].map((id) => [id, { attempts: 0, retryAt: undefined }]),
  );
  const unwritten = new Set(unwrittenIds);
  const closed: number[] = [];
  const publishedIds: number[] = [];
  const store: PublishingState = {
    async pendingEvents({ maxId, limit, after }) {
      const startAfter = after === undefined ? undefined : Number(after);
      const page = [...pending.keys()]
        .sort((a, b) => a - b)
        .filter((id) => id <= maxId && (startAfter === undefined || id > startAfter))
        .slice(0, limit);
      const due: PendingEvent[] = page
        .filter((id) => {
          const retryAt = pending.get(id)?.retryAt;
          return retryAt === undefined || retryAt <= clock.now;
        })
        .filter((id) => !unwritten.has(id))
        .map((id) => ({ record: event(id), attempts: pending.get(id)?.attempts ?? 0 }));
      const last = page.at(-1);
      return {
        due,
        unwritten: page.filter((id) => unwritten.has(id)),
        next: page.length === limit && last !== undefined ? String(last) : undefined,
      };
    },
    async closeId(id) {
      unwritten.delete(id);
      if (lateWrites.includes(id)) return false;
      closed.push(id);
      return true;
    },
    isMarked: async (id) => pending.has(id),
    async markPublished(id) {
      pending.delete(id);
      publishedIds.push(id);
    },
    async markPublishFailed(id, attempts, retryAt) {
      pending.set(id, { attempts, retryAt });
    },
    async backlog() {
      const ids = [...pending.keys()].sort((a, b) => a - b);
      return { count: ids.length, capped: false, oldestId: ids[0] };
    },
  };
  return { store, pending, publishedIds, closed };
}

const clock = { now: T0 };

const event = plainRecord;

function publisher(fail: (id: number) => boolean): Publisher & { sent: number[] } {
  const sent: number[] = [];
  return {
    sent,
    publish: async (record) => {
      sent.push(record.id);
      if (fail(record.id)) throw new Error('broker down');
    },
    close: async () => undefined,
  };
}

/** Ids drawn an hour before T0, so past any grace period. */
const old = (n: number) => Array.from({ length: n }, (_, i) => maxIdAt(T0 - 3_600_000) - 1000 + i);

describe('redrive', () => {
  it('publishes every due event oldest first, across batches, and reports an empty backlog', async () => {
    clock.now = T0;
    const ids = old(7);
    const { store, publishedIds } = memoryStore(ids);
    const report = await redrive({
      store,
      publisher: publisher(() => false),
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
      batchSize: 3,
    });
    expect(publishedIds).toEqual(ids);
    expect(report).toMatchObject({ published: 7, failed: 0, brokerDown: false, backlog: 0 });
  });

  it('closes the id of a mark whose event never came and drops it; keeps a mark whose event came late', async () => {
    clock.now = T0;
    const [a, never, b, late, c] = old(5) as [number, number, number, number, number];
    const { store, pending, closed } = memoryStore([a, b, c], [never, late], [late]);
    const sending = publisher(() => false);
    const report = await redrive({
      store,
      publisher: sending,
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
    });
    expect(sending.sent).toEqual([a, b, c]);
    expect(closed).toEqual([never]);
    expect([...pending.keys()]).toEqual([late]);
    expect(report).toMatchObject({ published: 3, failed: 0, backlog: 1 });
  });

  it('leaves events younger than the grace period to their webhook', async () => {
    clock.now = T0;
    const young = maxIdAt(T0 - 10_000);
    const { store, publishedIds } = memoryStore([...old(1), young]);
    await redrive({
      store,
      publisher: publisher(() => false),
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
    });
    expect(publishedIds).not.toContain(young);
    expect(publishedIds).toHaveLength(1);
  });

  it('stops after three failures in a row, records attempts with backoff, and skips them until due', async () => {
    clock.now = T0;
    const ids = old(10);
    const { store, pending } = memoryStore(ids);
    const down = publisher(() => true);
    const sequential = { concurrency: 1 };
    const first = await redrive({
      store,
      publisher: down,
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
      ...sequential,
    });
    expect(first).toMatchObject({ published: 0, failed: 3, brokerDown: true, backlog: 10 });
    expect(down.sent).toEqual(ids.slice(0, 3));
    expect(pending.get(ids[0] as number)).toEqual({ attempts: 1, retryAt: T0 + backoffMs(1) });

    // 10 s later the three are not due yet: the next run tries the next three.
    clock.now = T0 + 10_000;
    const again = publisher(() => true);
    await redrive({
      store,
      publisher: again,
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
      ...sequential,
    });
    expect(again.sent).toEqual(ids.slice(3, 6));

    // Once the backoff has passed and the broker is back, everything goes, the retried ones included.
    clock.now = T0 + backoffMs(1) + 10_000;
    const back = publisher(() => false);
    const last = await redrive({ store, publisher: back, logger: quiet, now: () => clock.now, timeLeft: () => true });
    expect([...back.sent].sort()).toEqual([...ids].sort());
    expect(last).toMatchObject({ published: 10, failed: 0, backlog: 0 });
  });

  it('with publishes in flight side by side, stops starting new ones once the broker keeps failing', async () => {
    clock.now = T0;
    const { store } = memoryStore(old(100));
    const down = publisher(() => true);
    const report = await redrive({
      store,
      publisher: down,
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
      concurrency: 8,
    });
    expect(report.brokerDown).toBe(true);
    // The first failures stop new starts; what was already in flight (at most 8) ends as failed.
    expect(down.sent.length).toBeLessThanOrEqual(3 + 8);
    expect(report.failed).toBe(down.sent.length);
  });

  it('keeps going past isolated failures', async () => {
    clock.now = T0;
    const ids = old(6);
    const { store } = memoryStore(ids);
    const flaky = publisher((id) => id === ids[1] || id === ids[4]);
    const report = await redrive({
      store,
      publisher: flaky,
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
    });
    expect(report).toMatchObject({ published: 4, failed: 2, brokerDown: false, backlog: 2 });
  });

  it('publishes at most maxEvents, and nothing once time is up', async () => {
    clock.now = T0;
    const { store, publishedIds } = memoryStore(old(20));
    const capped = await redrive({
      store,
      publisher: publisher(() => false),
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => true,
      maxEvents: 5,
      batchSize: 4,
    });
    expect(capped).toMatchObject({ published: 5, backlog: 15 });
    expect(publishedIds).toHaveLength(5);

    let checks = 0;
    const timed = await redrive({
      store,
      publisher: publisher(() => false),
      logger: quiet,
      now: () => clock.now,
      timeLeft: () => ++checks <= 3,
    });
    expect(timed.published).toBeLessThan(15);
    expect(timed.backlog).toBe(15 - timed.published);
  });

  it('backs off 30 s doubling per attempt, at most 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000]);
  });
});
