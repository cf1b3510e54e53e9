// What the rest of the code asks of the event store (EventStore), and the table operations the
// recording protocol is built on (TableOperations). store/recording.ts holds the protocol's rules;
// store/dynamo.ts sends the table operations to DynamoDB.

import type { Operation, Source } from '../event/catalog';
import type { AppEvent, ShapedEvent } from '../event/record';

export interface RecordResult {
  record: AppEvent;
  /** This request was a redelivery: `record` is the event its first delivery stored. */
  duplicate: boolean;
  /** Newly stored and not yet published: the caller publishes it. Always false for a duplicate. */
  pending: boolean;
}

/** A stored event still waiting to be published, with its delivery history. */
export interface PendingEvent {
  record: AppEvent;
  /** Failed publish attempts so far. */
  attempts: number;
}

export interface ListQuery {
  app_name?: string | undefined;
  source?: Source | undefined;
  operation?: Operation | undefined;
  env?: string | undefined;
  /** Unix seconds, inclusive. */
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ListResult {
  events: AppEvent[];
  nextCursor: string | undefined;
}

export interface RecordOptions {
  /** False once no new event may start (the function's time is nearly up); those not started are a 503. */
  canStart?: () => boolean;
}

/** The publishing state the publisher and the redrive move an event through. */
export interface PublishingState {
  /** Deletes event `id`'s pending mark: once the event is on the message stream, or its id closed. */
  markPublished(id: number): Promise<void>;
  /** Records a failed publish; the event is retried no earlier than `retryAt` (unix ms). */
  markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void>;
  /**
   * Closes id `id` for good unless an event is there: true when it is closed (now or before),
   * false when an event holds it.
   */
  closeId(id: number): Promise<boolean>;
  /**
   * Pending marks with ids up to `maxId` that are due now, oldest first; about `limit` looked at
   * (across every shard). `after` continues from the `next` of the previous call.
   */
  pendingEvents(options: { maxId: number; limit: number; after?: string | undefined }): Promise<{
    /** Marked events that are stored. */
    due: PendingEvent[];
    /** Marks whose event is not stored (never written, or its id closed): ids, oldest first. */
    unwritten: number[];
    /** Where to continue from; undefined when every pending event up to `maxId` was looked at. */
    next: string | undefined;
  }>;
  /** Whether event `id` is marked pending (strongly consistent). */
  isMarked(id: number): Promise<boolean>;
  /** How many events are pending (counted up to `cap`) and the id of the oldest. */
  backlog(cap: number): Promise<{ count: number; capped: boolean; oldestId: number | undefined }>;
}

export interface EventReads {
  get(id: number): Promise<AppEvent | undefined>;
  list(query: ListQuery): Promise<ListResult>;
}

export interface EventStore extends EventReads, PublishingState {
  /**
   * Records the shaped events, each as one event. Ids are drawn in the order of `requests` before
   * any write, so the events of one body have increasing ids; the writes then run side by side, at
   * most `concurrency` at once.
   */
  recordAll(requests: readonly ShapedEvent[], options?: RecordOptions): Promise<RecordResult[]>;
  /** Records one request: recordAll of one. */
  record(request: ShapedEvent): Promise<RecordResult>;
}

/** The claim a delivery key holds: the event it names, until `expiresAt` (unix seconds). */
export interface DeliveryClaim {
  pk: string;
  eventId: number;
  expiresAt: number;
}

/** A stored event with the delivery it was recorded under; `record` undefined: the id is closed. */
export type StoredEvent =
  | { record: AppEvent; delivery: string | undefined }
  | { record: undefined; delivery: undefined };

/** A claim was made, or refused by a live one (`holder`, when the table handed it back). */
export type ClaimOutcome = { claimed: true } | { claimed: false; holder: DeliveryClaim | undefined };

/** An event was written, or refused by the event already at its id (`existing`, when handed back). */
export type PutOutcome = { written: true } | { written: false; existing: StoredEvent | undefined };

/**
 * The table operations the recording protocol makes: each is one request, makes no decision, and
 * either answers or throws (a throw may come after the write happened: the answer was lost).
 */
export interface RecordingOperations {
  /** Claims `claim.pk` for `claim.eventId` unless a claim that is live at `nowSeconds` holds it. */
  claimDelivery(claim: DeliveryClaim, nowSeconds: number): Promise<ClaimOutcome>;
  readDelivery(pk: string): Promise<DeliveryClaim | undefined>;
  /** Moves a claim from event `from` to event `to`; false when it no longer names `from`. */
  repointDelivery(pk: string, from: number, to: number): Promise<boolean>;
  /** Marks event `id` pending (before it is written): the redrive publishes it unless it is cleared. */
  putMark(id: number): Promise<void>;
  /** Writes the event unless its id is taken (by an event or a closed id); never overwrites. */
  putEvent(record: AppEvent, delivery: string | undefined): Promise<PutOutcome>;
  readEvent(id: number): Promise<StoredEvent | undefined>;
}

/** Everything the store sends to its table: recording, reading and the publishing state. */
export interface TableOperations extends RecordingOperations, EventReads, PublishingState {}
