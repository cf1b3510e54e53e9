// The recording protocol as it was before claim-first, rebuilt over the same table operations so the
// explorer can show what it finds in it (crash-points.test.ts): the delivery claim and the event were
// written side by side, a redelivery deleted the event it had written, and the redrive's repair
// deleted any pending event whose delivery item named another event.

import { type AppEvent, completeRecord, type ShapedEvent } from '../../shared/event/record';
import type { RecordingOptions } from '../../shared/store/recording';
import { deliveryItemKey } from '../../shared/store/schema';
import type { EventStore, RecordResult, StoredEvent, TableOperations } from '../../shared/store/types';
import type { EarlierOperations } from './memory-table';

type Ops = TableOperations & EarlierOperations;

export function earlierStore(ops: Ops, options: RecordingOptions): EventStore {
  const publishing = options.publishing;
  const nowSeconds = () => Math.floor(options.now() / 1000);

  /** The event with its pending mark (the earlier protocol wrote them as one item). */
  async function putMarked(record: AppEvent, pk: string) {
    if (publishing) await ops.putMark(record.id);
    return ops.putEvent(record, pk);
  }

  async function recordOne(request: ShapedEvent, firstId: number): Promise<RecordResult> {
    const { draft, deliveryKey } = request;
    if (deliveryKey === undefined) throw new Error('the explorer always sends a delivery key');
    const pk = deliveryItemKey(draft.source, deliveryKey);
    const window = request.redeliveryWindowSeconds ?? options.redeliveryWindowSeconds;
    const [claim, put] = await Promise.all([
      ops.claimDelivery({ pk, eventId: firstId, expiresAt: nowSeconds() + window }, nowSeconds()),
      putMarked(completeRecord(draft, firstId), pk),
    ]);
    if (claim.claimed) {
      if (put.written) return { record: completeRecord(draft, firstId), duplicate: false, pending: publishing };
      return settle(request, pk, firstId, put.existing);
    }
    const earlier = (claim.holder ?? (await ops.readDelivery(pk)))?.eventId;
    if (put.written) await ops.discardEvent(firstId, pk);
    if (earlier === undefined) throw new Error('a delivery vanished while recording');
    return settle(request, pk, earlier, undefined);
  }

  async function settle(request: ShapedEvent, pk: string, firstId: number, taken: StoredEvent | undefined) {
    let id = firstId;
    let known = taken;
    for (let draw = 0; draw < 5; draw += 1) {
      const record = completeRecord(request.draft, id);
      const outcome = known === undefined ? await putMarked(record, pk) : undefined;
      const existing = known ?? (outcome?.written === false ? outcome.existing : undefined);
      known = undefined;
      if (existing === undefined) return { record, duplicate: false, pending: publishing };
      if (existing.delivery === pk) return { record: existing.record, duplicate: true, pending: false };
      const next = options.ids.next();
      if (!(await ops.repointDelivery(pk, id, next))) {
        const current = await ops.readDelivery(pk);
        if (current === undefined) throw new Error('a delivery vanished while recording');
        id = current.eventId;
        continue;
      }
      id = next;
    }
    throw new Error('no free event id');
  }

  /** The redrive's repair: deletes a pending event whose delivery item names another event. */
  async function withoutOrphans(due: Awaited<ReturnType<EventStore['pendingEvents']>>['due']) {
    const kept = [];
    for (const pending of due) {
      const stored = await ops.readEvent(pending.record.id);
      const delivery = stored?.delivery;
      if (delivery === undefined) {
        kept.push(pending);
        continue;
      }
      let owner = (await ops.readDelivery(delivery))?.eventId;
      if (owner === undefined) {
        const claim = {
          pk: delivery,
          eventId: pending.record.id,
          expiresAt: nowSeconds() + options.redeliveryWindowSeconds,
        };
        const outcome = await ops.claimIfAbsent(claim);
        owner = outcome.claimed ? pending.record.id : outcome.holder?.eventId;
      }
      if (owner === undefined || owner === pending.record.id) kept.push(pending);
      else await ops.discardEvent(pending.record.id, delivery);
    }
    return kept;
  }

  return {
    async recordAll(requests) {
      const firstIds = requests.map(() => options.ids.next());
      return Promise.all(requests.map((request, index) => recordOne(request, firstIds[index] as number)));
    },
    record: async (request) => recordOne(request, options.ids.next()),
    get: ops.get,
    list: ops.list,
    markPublished: ops.markPublished,
    markPublishFailed: ops.markPublishFailed,
    closeId: ops.closeId,
    isMarked: ops.isMarked,
    pendingEvents: async (query) => {
      const page = await ops.pendingEvents(query);
      return { ...page, due: await withoutOrphans(page.due) };
    },
    backlog: ops.backlog,
  };
}
