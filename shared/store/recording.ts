// The recording protocol: how a shaped event becomes exactly one stored event, whatever crashes,
// lost answers, concurrent copies and expiring windows interleave. Its only dependencies are the
// table operations of types.ts, so tests and the crash-point explorer drive it with any table.
//
// Claim first, then write. A delivery key is claimed (the delivery item D#… names an event id) before
// any event is written, and an event is only ever written at the id its delivery's claim names. So:
// - a redelivery finds the claim and writes nothing of its own: it completes the claimed event if the
//   first copy stopped before writing it, or answers with it (duplicate);
// - no event is ever deleted, so no 2xx-named event can be removed, and a key that comes round after
//   its window makes a new claim, a new event, and leaves the older one as it is;
// - a copy that stops after its claim leaves a claim without an event (completed by the next copy,
//   harmless when none comes); one that stops after its write leaves the delivery's one event, which
//   every redelivery names.
// Two containers may draw the same id: the conditional write sees the other event there, and the
// claim moves to a new id (only while it still names the old one). The same happens at an id the
// redrive closed.
//
// Mark, then write. With publishing on, an event's pending mark (its own small item) is written
// before the event, so every stored event was marked; a mark is deleted only once its event is on
// the stream, or once its id is closed (no event can be written there any more). A mark whose event
// never came (its copy stopped between the two writes) is the redrive's: it closes the id and then
// drops the mark. A mark written twice, or left at an id another event holds, costs at most one more
// publish of a stored event.

import { ServiceUnavailableError } from '../errors';
import type { IdGenerator } from '../event/ids';
import { type AppEvent, completeRecord, type EventDraft, type ShapedEvent } from '../event/record';
import { deliveryItemKey } from './schema';
import type {
  DeliveryClaim,
  EventStore,
  RecordingOperations,
  RecordOptions,
  RecordResult,
  TableOperations,
} from './types';

export interface RecordingOptions {
  ids: IdGenerator;
  /** Unix milliseconds. */
  now: () => number;
  /** How long a delivery key is remembered, in seconds. */
  redeliveryWindowSeconds: number;
  /** Publishing is on: new events are written marked pending, for the publisher and the redrive. */
  publishing: boolean;
  /** Most events of one request recorded at once (a notification's alerts); default 32. */
  writeConcurrency?: number;
}

/** Steps one event may take (claims, writes, id draws) before the request gives up with a 503. */
const MAX_STEPS = 8;
const DEFAULT_WRITE_CONCURRENCY = 32;

/** Records one shaped event whose first id was drawn already. */
export async function recordOne(
  ops: RecordingOperations,
  options: RecordingOptions,
  request: ShapedEvent,
  firstId: number,
): Promise<RecordResult> {
  const { draft, deliveryKey } = request;
  if (deliveryKey === undefined) return writeUnclaimed(ops, options, draft, firstId);
  const pk = deliveryItemKey(draft.source, deliveryKey);
  const window = request.redeliveryWindowSeconds ?? options.redeliveryWindowSeconds;
  let id = firstId;
  let claim: DeliveryClaim | undefined;
  // The claim was made before this copy came (or moved by another): its event may be stored already.
  let found = false;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (claim === undefined) {
      const wanted = { pk, eventId: id, expiresAt: nowSeconds(options) + window };
      claim = await claimFor(ops, wanted, nowSeconds(options));
      found = claim !== wanted;
      continue;
    }
    // A redelivery reads before it marks: marking an event that is stored (and perhaps published)
    // would publish it once more.
    let existing = found ? await ops.readEvent(claim.eventId) : undefined;
    if (existing === undefined) {
      const outcome = await writeMarked(ops, options, completeRecord(draft, claim.eventId), pk);
      if (outcome.written) {
        return { record: completeRecord(draft, claim.eventId), duplicate: false, pending: options.publishing };
      }
      existing = outcome.existing ?? (await ops.readEvent(claim.eventId));
      found = true;
      if (existing === undefined) continue;
    }
    if (existing.record !== undefined && existing.delivery === pk) {
      return { record: existing.record, duplicate: true, pending: false };
    }
    // Another event holds the claimed id (two containers drew it), or the redrive closed it: move the claim.
    id = options.ids.next();
    const moved = await moveClaim(ops, claim, id);
    found = moved?.eventId !== id;
    claim = moved;
  }
  throw new ServiceUnavailableError('the event store kept refusing this event; retry later');
}

/**
 * Writes an event at its id; with publishing on, its pending mark first, so no event is ever stored
 * unmarked (a mark without its event is the redrive's to close: publishing/redrive.ts).
 */
async function writeMarked(ops: RecordingOperations, options: RecordingOptions, record: AppEvent, pk?: string) {
  if (options.publishing) await ops.putMark(record.id);
  return ops.putEvent(record, pk);
}

/** The claim that holds `pk` after trying to make `wanted`: ours, or the live one that refused it. */
async function claimFor(
  ops: RecordingOperations,
  wanted: DeliveryClaim,
  nowSeconds: number,
): Promise<DeliveryClaim | undefined> {
  const outcome = await ops.claimDelivery(wanted, nowSeconds);
  if (outcome.claimed) return wanted;
  // undefined: the refusing claim expired and went meanwhile; the next step claims again.
  return outcome.holder ?? (await ops.readDelivery(wanted.pk));
}

/**
 * Moves `claim` to event `to`. When it no longer names its event, follows where it went if it is
 * the same claim (another copy moved it); a claim that was replaced (its window ended) is not ours
 * to follow, so the next step claims again.
 */
async function moveClaim(ops: RecordingOperations, claim: DeliveryClaim, to: number) {
  if (await ops.repointDelivery(claim.pk, claim.eventId, to)) return { ...claim, eventId: to };
  const current = await ops.readDelivery(claim.pk);
  return current !== undefined && current.expiresAt === claim.expiresAt ? current : undefined;
}

/** An event without a delivery key (an unsigned local request): written at a free id, never deduplicated. */
async function writeUnclaimed(
  ops: RecordingOperations,
  options: RecordingOptions,
  draft: EventDraft,
  firstId: number,
): Promise<RecordResult> {
  let id = firstId;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const record = completeRecord(draft, id);
    const outcome = await writeMarked(ops, options, record);
    if (outcome.written) return { record, duplicate: false, pending: options.publishing };
    id = options.ids.next();
  }
  throw new ServiceUnavailableError('the event store kept refusing this event; retry later');
}

function nowSeconds(options: RecordingOptions): number {
  return Math.floor(options.now() / 1000);
}

/**
 * Records every request: ids drawn in body order before the first write, then at most
 * `writeConcurrency` events at once. Once `canStart` says no, no further event starts, and the
 * request is a 503: those recorded are stored, and a retry records the rest exactly once.
 */
export async function recordAll(
  ops: RecordingOperations,
  options: RecordingOptions,
  requests: readonly ShapedEvent[],
  { canStart = () => true }: RecordOptions = {},
): Promise<RecordResult[]> {
  const firstIds = requests.map(() => options.ids.next());
  const results: (RecordResult | undefined)[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < requests.length && canStart(); index = next++) {
      results[index] = await recordOne(ops, options, requests[index] as ShapedEvent, firstIds[index] as number);
    }
  };
  const workers = Math.min(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY, requests.length);
  await Promise.all(Array.from({ length: workers }, worker));
  const recorded = results.filter((result) => result !== undefined);
  if (recorded.length < requests.length) {
    throw new ServiceUnavailableError(
      `time ran out after ${recorded.length} of ${requests.length} events were stored; a retry stores the rest once`,
    );
  }
  return recorded;
}

/** The event store over any table: the protocol for recording, the table's own reads and marks. */
export function recordingStore(ops: TableOperations, options: RecordingOptions): EventStore {
  return {
    recordAll: (requests, recordOptions) => recordAll(ops, options, requests, recordOptions),
    record: async (request) => {
      const [result] = await recordAll(ops, options, [request]);
      if (result === undefined) throw new Error('recordAll returned no result for one request');
      return result;
    },
    get: ops.get,
    list: ops.list,
    markPublished: ops.markPublished,
    markPublishFailed: ops.markPublishFailed,
    closeId: ops.closeId,
    isMarked: ops.isMarked,
    pendingEvents: ops.pendingEvents,
    backlog: ops.backlog,
  };
}
