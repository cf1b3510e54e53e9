// The recording protocol: how a shaped event becomes exactly one stored event, whatever crashes,
// lost answers, concurrent copies and expiring windows interleave. Its only dependencies are the
// table operations of types.ts, so tests and the crash-point explorer drive it with any table.
//
// Claim first, then write. A delivery key is claimed (the delivery item D#… names an event id) before
// any event is written, and an event is only ever written at the id its delivery's claim names. So:
// - a redelivery finds the claim and writes nothing of its own: it completes the claimed event if the
//   first copy stopped before writing it, or answers with it (duplicate);
// - nothing is ever deleted, so no 2xx-named event can be removed, and a key that comes round after
//   its window makes a new claim, a new event, and leaves the older one as it is;
// - a copy that stops after its claim leaves a claim without an event (completed by the next copy,
//   harmless when none comes); one that stops after its write leaves the delivery's one event, which
//   every redelivery names.
// Two containers may draw the same id: the conditional write sees the other event there, and the
// claim moves to a new id (only while it still names the old one).

import { ServiceUnavailableError } from '../errors';
import type { IdGenerator } from '../event/ids';
import { completeRecord, type EventDraft, type ShapedEvent } from '../event/record';
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
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (claim === undefined) {
      claim = await claimFor(ops, { pk, eventId: id, expiresAt: nowSeconds(options) + window }, nowSeconds(options));
      continue;
    }
    const outcome = await ops.putEvent(completeRecord(draft, claim.eventId), {
      delivery: pk,
      pending: options.publishing,
    });
    if (outcome.written) {
      return { record: completeRecord(draft, claim.eventId), duplicate: false, pending: options.publishing };
    }
    const existing = outcome.existing ?? (await ops.readEvent(claim.eventId));
    if (existing === undefined) continue;
    if (existing.delivery === pk) return { record: existing.record, duplicate: true, pending: false };
    // Another event holds the claimed id (two containers drew it): move the claim to a new id.
    id = options.ids.next();
    claim = await moveClaim(ops, claim, id);
  }
  throw new ServiceUnavailableError('the event store kept refusing this event; retry later');
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
    const outcome = await ops.putEvent(record, { delivery: undefined, pending: options.publishing });
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
    pendingEvents: ops.pendingEvents,
    backlog: ops.backlog,
  };
}
