// The event store's tables in memory, answering as DynamoDB does: conditional writes that never
// overwrite, a claim condition on expiry, updates that are refused without effect, strongly
// consistent reads; the pending marks in a table of their own. Items are the very items the DynamoDB table holds (store/items.ts builds them),
// so the explorer's outcomes can be compared with the embedded DynamoDB's (crash-points.test.ts).

import {
  closedIdItem,
  deliveryItem,
  eventItem,
  eventOf,
  isClosedId,
  isDue,
  parseDeliveryItem,
  parseStoredEvent,
  pendingMarkItem,
  publishAttempts,
} from '../../shared/store/items';
import { ATTR, eventKey } from '../../shared/store/schema';
import type { ClaimOutcome, DeliveryClaim, ListQuery, TableOperations } from '../../shared/store/types';

type Item = Record<string, unknown>;

export interface MemoryTable extends TableOperations, EarlierOperations {
  /** Every item of the events table, copied. */
  items(): Item[];
  /** Every pending mark, copied. */
  marks(): Item[];
}

/** Two writes only the earlier protocol made (earlier-protocol.ts), kept to show what the explorer finds in it. */
export interface EarlierOperations {
  /** Deletes event `id` if it belongs to `delivery` and was never published. */
  discardEvent(id: number, delivery: string): Promise<void>;
  /** Writes a claim unless any claim exists, expired or not. */
  claimIfAbsent(claim: DeliveryClaim): Promise<ClaimOutcome>;
}

export interface MemoryTableOptions {
  /**
   * A refused conditional write hands back the item that refused it, as DynamoDB does with
   * ReturnValuesOnConditionCheckFailure; false answers as the embedded DynamoDB does, without it
   * (the protocol then reads the item).
   */
  returnsRefusingItem?: boolean;
}

export function createMemoryTable(now: () => number, options: MemoryTableOptions = {}): MemoryTable {
  const returnsRefusing = options.returnsRefusingItem ?? true;
  const items = new Map<string, Item>();
  const marks = new Map<number, Item>();
  const copy = (item: Item): Item => structuredClone(item);
  const event = (id: number) => items.get(eventKey(id));
  const withoutUndefined = (item: Item): Item =>
    Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));

  return {
    items: () => [...items.values()].map(copy),
    marks: () => [...marks.values()].map(copy),

    async claimDelivery(claim, nowSeconds) {
      const existing = items.get(claim.pk);
      const expiresAt = existing?.[ATTR.expiresAt];
      if (existing === undefined || (typeof expiresAt === 'number' && expiresAt < nowSeconds)) {
        items.set(claim.pk, deliveryItem(claim.pk, claim.eventId, claim.expiresAt));
        return { claimed: true };
      }
      return { claimed: false, holder: returnsRefusing ? parseDeliveryItem(copy(existing)) : undefined };
    },
    readDelivery: async (pk) => parseDeliveryItem(items.get(pk)),
    async repointDelivery(pk, from, to) {
      const existing = items.get(pk);
      if (existing === undefined || existing[ATTR.eventId] !== from) return false;
      items.set(pk, { ...existing, [ATTR.eventId]: to });
      return true;
    },
    async putMark(id) {
      marks.set(id, withoutUndefined(pendingMarkItem(id)));
    },
    async putEvent(record, delivery) {
      const existing = event(record.id);
      if (existing !== undefined) {
        return { written: false, existing: returnsRefusing ? parseStoredEvent(copy(existing)) : undefined };
      }
      items.set(eventKey(record.id), withoutUndefined(eventItem(record, { delivery })));
      return { written: true };
    },
    async readEvent(id) {
      const item = event(id);
      return item && parseStoredEvent(copy(item));
    },
    get: async (id) => eventOf(event(id)),
    list: async (query) => list(query),

    async discardEvent(id, delivery) {
      const item = event(id);
      if (item?.[ATTR.delivery] === delivery && marks.has(id)) items.delete(eventKey(id));
    },
    async claimIfAbsent(claim) {
      const existing = items.get(claim.pk);
      if (existing !== undefined) return { claimed: false, holder: parseDeliveryItem(copy(existing)) };
      items.set(claim.pk, deliveryItem(claim.pk, claim.eventId, claim.expiresAt));
      return { claimed: true };
    },
    async markPublished(id) {
      marks.delete(id);
    },
    async markPublishFailed(id, attempts, retryAt) {
      const mark = marks.get(id);
      if (mark === undefined) return;
      marks.set(id, { ...mark, [ATTR.publishAttempts]: attempts, [ATTR.retryAt]: retryAt });
    },
    async closeId(id) {
      const existing = event(id);
      if (existing === undefined) items.set(eventKey(id), closedIdItem(id, Math.floor(now() / 1000)));
      return existing === undefined || isClosedId(existing);
    },
    isMarked: async (id) => marks.has(id),
    async pendingEvents({ maxId, limit, after }) {
      const from = after === undefined ? -1 : Number(after);
      const page = pending()
        .filter((mark) => Number(mark[ATTR.id]) <= maxId && Number(mark[ATTR.id]) > from)
        .slice(0, limit);
      const due = [];
      const unwritten = [];
      for (const mark of page.filter((entry) => isDue(entry, now()))) {
        const id = Number(mark[ATTR.id]);
        const record = eventOf(event(id));
        if (record === undefined) unwritten.push(id);
        else due.push({ record: structuredClone(record), attempts: publishAttempts(mark) });
      }
      const last = page.at(-1);
      return { due, unwritten, next: page.length === limit && last !== undefined ? String(last[ATTR.id]) : undefined };
    },
    async backlog(cap) {
      const all = pending();
      const oldest = all[0]?.[ATTR.id];
      return {
        count: Math.min(all.length, cap),
        capped: all.length > cap,
        oldestId: typeof oldest === 'number' ? oldest : undefined,
      };
    },
  };

  function pending(): Item[] {
    return [...marks.values()].sort((a, b) => Number(a[ATTR.id]) - Number(b[ATTR.id]));
  }

  /** Newest first by (create_time, id); the cursor is the position of the last event returned. */
  function list(query: ListQuery) {
    const [time, id] = query.cursor === undefined ? [Number.POSITIVE_INFINITY, 0] : JSON.parse(query.cursor);
    const matching = [...items.values()]
      .flatMap((item) => {
        const record = String(item[ATTR.pk]).startsWith('E#') ? eventOf(copy(item)) : undefined;
        return record === undefined ? [] : [record];
      })
      .filter(
        (record) =>
          (query.app_name === undefined || record.app_name === query.app_name) &&
          (query.source === undefined || record.source === query.source) &&
          (query.operation === undefined || record.operation === query.operation) &&
          (query.env === undefined || record.env === query.env) &&
          record.create_time >= (query.since ?? 0) &&
          record.create_time <= (query.until ?? Number.POSITIVE_INFINITY) &&
          (record.create_time < time || (record.create_time === time && record.id < id)),
      )
      .sort((a, b) => b.create_time - a.create_time || b.id - a.id);
    const events = matching.slice(0, query.limit);
    const last = events.at(-1);
    const more = matching.length > query.limit && last !== undefined;
    return { events, nextCursor: more ? JSON.stringify([last.create_time, last.id]) : undefined };
  }
}
