// The recording protocol's rules, driven directly over the in-memory table (no emulator): claim
// first, a redelivery writes nothing of its own, a stopped first delivery is completed, an id taken
// by another event moves the claim, an expired key is a new event, running out of time is a 503; with
// publishing on, the mark before the event, none for a redelivery, and an id closed by the redrive.

import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../shared/errors';
import type { IdGenerator } from '../../shared/event/ids';
import type { ShapedEvent } from '../../shared/event/record';
import { type RecordingOptions, recordingStore } from '../../shared/store/recording';
import { deliveryItemKey } from '../../shared/store/schema';
import { createMemoryTable, type MemoryTable } from '../explorer/memory-table';
import { draftOf } from '../explorer/world';

const T0 = Date.UTC(2026, 10, 1);
const WINDOW = 3600;

function ids(...values: number[]): IdGenerator {
  const queue = [...values];
  return {
    next: () => {
      const value = queue.shift();
      if (value === undefined) throw new Error('no more ids');
      return value;
    },
  };
}

function setup(now = () => T0) {
  const table = createMemoryTable(now);
  const store = (next: IdGenerator, extra: Partial<RecordingOptions> = {}) =>
    recordingStore(table, { ids: next, now, redeliveryWindowSeconds: WINDOW, publishing: false, ...extra });
  return { table, store };
}

const shaped = (key: string, delivery = 0): ShapedEvent => ({ draft: draftOf(delivery, 0), deliveryKey: key });
const events = (table: MemoryTable) => table.items().filter((item) => String(item.pk).startsWith('E#'));

describe('recording protocol', () => {
  it('claims the key, then writes the event at the claimed id; a redelivery writes nothing of its own', async () => {
    const { table, store } = setup();
    const first = await store(ids(100)).record(shaped('k'));
    const again = await store(ids(200)).record(shaped('k'));
    expect(first).toMatchObject({ record: { id: 100 }, duplicate: false, pending: false });
    expect(again).toMatchObject({ record: { id: 100 }, duplicate: true, pending: false });
    expect(events(table).map((item) => item.id)).toEqual([100]);
  });

  it('completes the event of a first delivery that stopped after its claim', async () => {
    const { table, store } = setup();
    await table.claimDelivery({ pk: deliveryItemKey('confgo', 'k'), eventId: 300, expiresAt: T0 / 1000 + WINDOW }, 0);
    const retry = await store(ids(400)).record(shaped('k'));
    expect(retry).toMatchObject({ record: { id: 300 }, duplicate: false });
    expect(events(table).map((item) => item.id)).toEqual([300]);
  });

  it('moves the claim to a new id when another delivery’s event holds the claimed one', async () => {
    const { table, store } = setup();
    await store(ids(500)).record(shaped('other', 1));
    const recorded = await store(ids(500, 501)).record(shaped('k'));
    expect(recorded).toMatchObject({ record: { id: 501 }, duplicate: false });
    expect(await table.readDelivery(deliveryItemKey('confgo', 'k'))).toMatchObject({ eventId: 501 });
    expect((await store(ids(600)).record(shaped('k'))).record.id).toBe(501);
  });

  it('records a key that comes round after its window as a new event and keeps the older one', async () => {
    let clock = T0;
    const { table, store } = setup(() => clock);
    await store(ids(700), { publishing: true }).record(shaped('k'));
    clock += (WINDOW + 1) * 1000;
    const later = await store(ids(800), { publishing: true }).record(shaped('k'));
    expect(later).toMatchObject({ record: { id: 800 }, duplicate: false, pending: true });
    expect(
      events(table)
        .map((item) => item.id)
        .sort(),
    ).toEqual([700, 800]);
    expect((await table.pendingEvents({ maxId: 10_000, limit: 10 })).due.map((e) => e.record.id)).toEqual([700, 800]);
  });

  it('starts no event once time is up and answers 503; a retry records the rest exactly once', async () => {
    const { table, store } = setup();
    let started = 0;
    const body = [shaped('a'), shaped('b'), shaped('c')];
    const cut = store(ids(900, 901, 902), { writeConcurrency: 1 }).recordAll(body, { canStart: () => started++ < 2 });
    await expect(cut).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(cut).rejects.toThrow('time ran out after 2 of 3 events were stored');
    const retry = await store(ids(910, 911, 912)).recordAll(body);
    expect(retry.map((result) => [result.record.id, result.duplicate])).toEqual([
      [900, true],
      [901, true],
      [912, false],
    ]);
    expect(events(table)).toHaveLength(3);
  });

  it('with publishing on, marks the event before writing it; a redelivery marks nothing', async () => {
    const { table } = setup();
    const writes: string[] = [];
    const watched = {
      ...table,
      putMark: async (id: number) => {
        writes.push(`mark ${id}`);
        return table.putMark(id);
      },
      putEvent: async (...args: Parameters<MemoryTable['putEvent']>) => {
        writes.push(`event ${args[0].id}`);
        return table.putEvent(...args);
      },
    };
    const options = { now: () => T0, redeliveryWindowSeconds: WINDOW, publishing: true };
    const first = await recordingStore(watched, { ...options, ids: ids(1000) }).record(shaped('k'));
    expect(first).toMatchObject({ record: { id: 1000 }, pending: true });
    expect(writes).toEqual(['mark 1000', 'event 1000']);
    expect(table.marks().map((mark) => mark.id)).toEqual([1000]);
    await table.markPublished(1000);
    const again = await recordingStore(watched, { ...options, ids: ids(1001) }).record(shaped('k'));
    expect(again).toMatchObject({ record: { id: 1000 }, duplicate: true, pending: false });
    expect(writes).toEqual(['mark 1000', 'event 1000']);
    expect(table.marks()).toEqual([]);
  });

  it('moves the claim off an id the redrive closed, and never stores an event there', async () => {
    const { table, store } = setup();
    await table.claimDelivery({ pk: deliveryItemKey('confgo', 'k'), eventId: 1100, expiresAt: T0 / 1000 + WINDOW }, 0);
    await table.putMark(1100);
    expect((await table.pendingEvents({ maxId: 10_000, limit: 10 })).unwritten).toEqual([1100]);
    expect(await table.closeId(1100)).toBe(true);
    expect(await table.closeId(1100)).toBe(true);
    await table.markPublished(1100);
    // The first id drawn goes unused (the claim names 1100); the move draws the next.
    const retry = await store(ids(1200, 1201), { publishing: true }).record(shaped('k'));
    expect(retry).toMatchObject({ record: { id: 1201 }, duplicate: false, pending: true });
    expect(await table.readDelivery(deliveryItemKey('confgo', 'k'))).toMatchObject({ eventId: 1201 });
    expect(events(table).map((item) => [item.id, item.closed])).toEqual([
      [1100, true],
      [1201, undefined],
    ]);
    expect(await table.get(1100)).toBeUndefined();
    expect(await table.closeId(1201)).toBe(false);
    expect(table.marks().map((mark) => mark.id)).toEqual([1201]);
  });
});
