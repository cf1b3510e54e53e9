// The store's pure parts: keys, items and listing plans, without DynamoDB.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { completeRecord, type EventDraft } from '../../shared/event/record';
import { fromAttributes, toAttributes } from '../../shared/store/client';
import { putEventInput } from '../../shared/store/commands';
import { COMPRESS_OVER_BYTES, decodeMetadata, MIN_SAVING } from '../../shared/store/compact';
import {
  closedIdItem,
  deliveryItem,
  deliveryOf,
  eventItem,
  eventOf,
  isDue,
  parseDeliveryItem,
  parseEventItem,
  parseStoredEvent,
  pendingMarkItem,
  publishAttempts,
} from '../../shared/store/items';
import { decodeCursor, encodeCursor, mergeShards, planQuery } from '../../shared/store/query';
import { ATTR, deliveryItemKey, eventKey, listingSortKey, SHARDS, shardKey } from '../../shared/store/schema';
import { fixtureBodies, fixtureMetadata } from '../support/fixture-metadata';

const draft: EventDraft = {
  app_name: 'user-svc',
  aid: 4,
  zone_code: 'z1',
  env: 'prod',
  host_name: 'h1',
  operator_type: 'user',
  user_name: 'alice',
  uid: 7,
  operation: 'confgo_file_publish',
  create_time: 1_795_000_000,
  source: 'confgo',
  metadata: '{"a":1}',
};
const record = completeRecord(draft, 4242);

describe('keys', () => {
  it('sorts listing keys by create_time, then id, as strings', () => {
    const keys = [listingSortKey(200, 5), listingSortKey(100, 9), listingSortKey(100, 10), listingSortKey(99, 99_999)];
    expect([...keys].sort()).toEqual([keys[3], keys[1], keys[2], keys[0]]);
    expect(listingSortKey(1_795_000_000, 4242)).toBe('01795000000#0000000000004242');
  });

  it('keeps delivery keys of different sources apart and hides the sender key', () => {
    const confgo = deliveryItemKey('confgo', 'msg_1');
    expect(confgo).toMatch(/^D#confgo#[A-Za-z0-9_-]{43}$/);
    expect(confgo).not.toContain('msg_1');
    expect(deliveryItemKey('devops', 'msg_1')).not.toBe(confgo);
    expect(deliveryItemKey('confgo', 'msg_1')).toBe(confgo);
  });
});

describe('items', () => {
  it('writes an event with its keys and the delivery', () => {
    const item = eventItem(record, { delivery: 'D#confgo#x' });
    expect(item).toMatchObject({
      ...record,
      [ATTR.pk]: eventKey(4242),
      [ATTR.ts]: listingSortKey(record.create_time, 4242),
      [ATTR.appKey]: shardKey('user-svc', 4242 % SHARDS.app),
      [ATTR.sourceKey]: shardKey('confgo', 4242 % SHARDS.source),
      [ATTR.delivery]: 'D#confgo#x',
    });
    const plain = eventItem({ ...record, app_name: '' }, { delivery: undefined });
    expect(plain[ATTR.appKey]).toBeUndefined();
    expect(plain[ATTR.delivery]).toBeUndefined();
  });

  it('marks an event pending in its shard of the pending table, expiring with the event', () => {
    expect(pendingMarkItem(4242, 1_802_592_000)).toEqual({
      [ATTR.pk]: shardKey('P', 4242 % SHARDS.pending),
      [ATTR.id]: 4242,
      [ATTR.expiresAt]: 1_802_592_000,
    });
    const mark = { ...pendingMarkItem(4242), [ATTR.publishAttempts]: 2, [ATTR.retryAt]: 5000 };
    expect(publishAttempts(mark)).toBe(2);
    expect(isDue(mark, 4999)).toBe(false);
    expect(isDue(mark, 5000)).toBe(true);
  });

  it('reads a closed id as no event, never as a record', () => {
    const closed = closedIdItem(4242, 1000);
    expect(closed).toMatchObject({ [ATTR.pk]: eventKey(4242), [ATTR.closed]: true, [ATTR.expiresAt]: 87_400 });
    expect(eventOf(closed)).toBeUndefined();
    expect(parseStoredEvent(closed)).toEqual({ record: undefined, delivery: undefined });
    expect(eventOf(eventItem(record, { delivery: undefined }))).toEqual(record);
  });

  it('reads back exactly the 15 record fields, in order, dropping internal attributes', () => {
    const item = { ...eventItem(record, { delivery: 'D#c#k' }), [ATTR.publishAttempts]: 2 };
    const parsed = parseEventItem(item);
    expect(parsed).toEqual(record);
    expect(Object.keys(parsed)).toEqual(Object.keys(record));
    expect(deliveryOf(item)).toBe('D#c#k');
    expect(publishAttempts({})).toBe(0);
  });

  it('gives an event expires_at only when it has a retention, and reads it back without it', () => {
    expect(eventItem(record, { delivery: undefined })[ATTR.expiresAt]).toBeUndefined();
    expect(putEventInput('appevent', record, undefined).Item).not.toHaveProperty(ATTR.expiresAt);
    const kept = eventItem(record, { delivery: 'D#c#k', expiresAt: 1_802_592_000 });
    expect(kept[ATTR.expiresAt]).toBe(1_802_592_000);
    expect(putEventInput('appevent', record, undefined, 1_802_592_000).Item).toMatchObject({
      [ATTR.expiresAt]: { N: '1802592000' },
      [ATTR.pk]: { S: eventKey(4242) },
    });
    expect(parseEventItem(kept)).toEqual(record);
    // An event item is never read as a delivery claim, expires_at or not.
    expect(parseDeliveryItem(kept)).toBeUndefined();
  });

  it('refuses a malformed stored item instead of returning half a record', () => {
    expect(() => parseEventItem({ ...record, operation: 'nope' })).toThrow('a stored event item is malformed');
    expect(() => parseEventItem({ ...record, id: undefined })).toThrow('a stored event item is malformed');
  });

  it('remembers which event a delivery produced', () => {
    const item = deliveryItem('D#git#k', 77, 1_000);
    expect(item).toEqual({ [ATTR.pk]: 'D#git#k', [ATTR.eventId]: 77, [ATTR.expiresAt]: 1_000 });
    expect(parseDeliveryItem(item)).toEqual({ pk: 'D#git#k', eventId: 77, expiresAt: 1_000 });
    expect(parseDeliveryItem(undefined)).toBeUndefined();
    expect(parseDeliveryItem({ [ATTR.pk]: 'D#git#k', [ATTR.eventId]: 77 })).toBeUndefined();
  });

  it('is due when it has no retry time or the retry time has passed', () => {
    expect(isDue({}, 1_000)).toBe(true);
    expect(isDue({ [ATTR.retryAt]: 999 }, 1_000)).toBe(true);
    expect(isDue({ [ATTR.retryAt]: 1_001 }, 1_000)).toBe(false);
  });
});

describe('listing plans and cursors', () => {
  const byApp = planQuery({ app_name: 'user-svc', env: 'prod', since: 100, until: 200, limit: 10 });

  it('lists by app with filters, or by source', () => {
    expect(byApp.index).toBe('byApp');
    expect(byApp.filter).toBe('#env = :env');
    const bySource = planQuery({ source: 'git', operation: 'git_push', limit: 10 });
    expect(bySource.index).toBe('bySource');
    expect(bySource.filter).toBe('#operation = :operation');
  });

  it('queries every shard of the key', () => {
    expect(byApp.shardKeys).toHaveLength(SHARDS.app);
    expect(byApp.shardKeys[3]).toBe('user-svc#03');
    expect(planQuery({ source: 'grafana', limit: 5 }).shardKeys).toHaveLength(SHARDS.source);
  });

  it('continues a listing just below its own cursor', () => {
    const cursor = encodeCursor(byApp, listingSortKey(150, 4242));
    expect(decodeCursor(cursor, byApp)).toBe(listingSortKey(150, 4241));
  });

  it('refuses a cursor used with another listing, out of its range, or forged', () => {
    const cursor = encodeCursor(byApp, listingSortKey(150, 4242));
    const other = [
      planQuery({ app_name: 'other-svc', env: 'prod', since: 100, until: 200, limit: 10 }),
      planQuery({ app_name: 'user-svc', env: 'prod', since: 101, until: 200, limit: 10 }),
      planQuery({ app_name: 'user-svc', limit: 10, since: 100, until: 200 }),
    ];
    for (const plan of other) expect(() => decodeCursor(cursor, plan)).toThrow(/cursor is not one this listing/);
    const forge = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
    const forged = [
      forge({ q: byApp.fingerprint, ts: listingSortKey(999, 1) }),
      forge({ q: byApp.fingerprint, ts: listingSortKey(100, 0) }),
      forge({ q: byApp.fingerprint, ts: '00000000150#x' }),
      forge({ q: byApp.fingerprint, ts: listingSortKey(150, 0) }),
      forge({ q: byApp.fingerprint }),
      forge(['not', 'an', 'object']),
      'not base64 json',
    ];
    for (const bad of forged) expect(() => decodeCursor(bad, byApp)).toThrow(/cursor is not one this listing/);
  });

  describe('merging shards newest first', () => {
    const plan = planQuery({ source: 'git', limit: 3 });
    const entry = (ct: number, id: number) => ({ [ATTR.ts]: listingSortKey(ct, id), [ATTR.pk]: eventKey(id) });
    const ids = (entries: Record<string, unknown>[]) => entries.map((e) => e[ATTR.pk]);

    it('takes the newest of all shards and continues below the last one', () => {
      const merged = mergeShards(
        plan,
        [
          { entries: [entry(9, 9), entry(5, 5), entry(1, 1)], stoppedAt: listingSortKey(1, 1) },
          { entries: [entry(8, 8), entry(7, 7)], stoppedAt: undefined },
          { entries: [], stoppedAt: undefined },
        ],
        3,
      );
      expect(ids(merged.entries)).toEqual(['E#9', 'E#8', 'E#7']);
      expect(decodeCursor(merged.nextCursor ?? '', plan)).toBe(listingSortKey(7, 6));
    });

    it('returns nothing older than where a shard stopped short, so nothing is skipped', () => {
      const merged = mergeShards(
        plan,
        [
          { entries: [entry(9, 9)], stoppedAt: listingSortKey(6, 6) },
          { entries: [entry(8, 8), entry(5, 5), entry(4, 4)], stoppedAt: undefined },
        ],
        3,
      );
      expect(ids(merged.entries)).toEqual(['E#9', 'E#8']);
      expect(decodeCursor(merged.nextCursor ?? '', plan)).toBe(listingSortKey(8, 7));
    });

    it('ends when every shard is read and everything was returned', () => {
      const merged = mergeShards(plan, [{ entries: [entry(2, 2)], stoppedAt: undefined }], 3);
      expect(ids(merged.entries)).toEqual(['E#2']);
      expect(merged.nextCursor).toBeUndefined();
    });
  });
});

describe('compact metadata', () => {
  /** The item as DynamoDB stores and returns it, and as the explorer's in-memory table copies it. */
  const stored = (metadata: string) => fromAttributes(toAttributes(eventItem({ ...record, metadata }, marks)));
  const marks = { delivery: 'D#confgo#k', pending: false };
  const texts = [...fixtureBodies(), ...fixtureMetadata()];

  it('reads back exactly the metadata of every fixture body and every shaped event, compressed or not', () => {
    expect(texts.length).toBeGreaterThan(60);
    let compressed = 0;
    for (const { name, text } of texts) {
      const item = stored(text);
      const value = item?.metadata;
      expect(parseEventItem(item ?? {}).metadata, name).toBe(text);
      expect(parseEventItem(structuredClone(item ?? {})).metadata, name).toBe(text);
      if (value instanceof Uint8Array) {
        compressed += 1;
        expect(Buffer.byteLength(text), name).toBeGreaterThan(COMPRESS_OVER_BYTES);
        expect(value.length, name).toBeLessThanOrEqual(Buffer.byteLength(text) * (1 - MIN_SAVING));
      } else {
        expect(value, name).toBe(text);
      }
    }
    // Every body and shaped metadata over the threshold compresses well: JSON does.
    expect(compressed).toBe(texts.filter(({ text }) => Buffer.byteLength(text) > COMPRESS_OVER_BYTES).length);
  });

  it('keeps small metadata a String', () => {
    const small = JSON.stringify({ text: 'x'.repeat(COMPRESS_OVER_BYTES - 20) });
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(COMPRESS_OVER_BYTES);
    expect(stored(small)?.metadata).toBe(small);
    expect(toAttributes(eventItem({ ...record, metadata: small }, marks)).metadata).toEqual({ S: small });
  });

  it('keeps large metadata that does not compress a String', () => {
    const noise = JSON.stringify({ noise: randomBytes(3000).toString('base64') });
    expect(stored(noise)?.metadata).toBe(noise);
    expect(parseEventItem(stored(noise) ?? {}).metadata).toBe(noise);
  });

  it('stores large compressible metadata as a Binary, non-ASCII text included', () => {
    const text = JSON.stringify({ message: '推送 ✓ 🚀 '.repeat(400) });
    const item = toAttributes(eventItem({ ...record, metadata: text }, marks));
    expect(item.metadata?.B).toBeInstanceOf(Uint8Array);
    expect(item.metadata?.S).toBeUndefined();
    expect(parseEventItem(fromAttributes(item) ?? {}).metadata).toBe(text);
    // Text with a lone surrogate has no exact UTF-8 form: it stays as it was.
    const lone = `${'a'.repeat(2000)}\ud800`;
    expect(stored(lone)?.metadata).toBe(lone);
  });

  it('refuses a Binary that is not compressed metadata', () => {
    expect(decodeMetadata(42)).toBeUndefined();
    expect(() => parseEventItem({ ...record, metadata: new Uint8Array([1, 2, 3]) })).toThrow(
      'a stored event item is malformed',
    );
  });
});
