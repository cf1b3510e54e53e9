// What the rest of the code asks of the event store. store/dynamo.ts is the DynamoDB implementation.

import type { Operation, Source } from '../event/catalog';
import type { AppEvent, EventDraft } from '../event/record';

export interface RecordRequest {
  draft: EventDraft;
  /** The sender's delivery identity; a redelivery (a second request with the same key) records nothing new. */
  deliveryKey: string | undefined;
  /** How long this delivery key is remembered, when not the store's redeliveryWindowSeconds. */
  redeliveryWindowSeconds?: number;
}

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

export interface EventStore {
  /**
   * Records the requests, each as one event. Ids are drawn in the order of `requests` before any
   * write, so the events of one body have increasing ids; the writes then run side by side, at most
   * `concurrency` at once.
   */
  recordAll(requests: readonly RecordRequest[]): Promise<RecordResult[]>;
  /** Records one request: recordAll of one. */
  record(request: RecordRequest): Promise<RecordResult>;
  get(id: number): Promise<AppEvent | undefined>;
  list(query: ListQuery): Promise<ListResult>;
  /** Clears the pending mark once the event is on the message stream. */
  markPublished(id: number): Promise<void>;
  /** Records a failed publish; the event is retried no earlier than `retryAt` (unix ms). */
  markPublishFailed(id: number, attempts: number, retryAt: number): Promise<void>;
  /**
   * Pending events with ids up to `maxId` that are due now, oldest first; about `limit` looked at
   * (across every shard). `after` continues from the `next` of the previous call.
   */
  pendingEvents(options: { maxId: number; limit: number; after?: string | undefined }): Promise<{
    due: PendingEvent[];
    /** Where to continue from; undefined when every pending event up to `maxId` was looked at. */
    next: string | undefined;
  }>;
  /** How many events are pending (counted up to `cap`) and the id of the oldest. */
  backlog(cap: number): Promise<{ count: number; capped: boolean; oldestId: number | undefined }>;
}
