// The webhook pipeline every sender family shares: authenticate → parse → shape (the family's own,
// family.ts) → record → publish → respond.

import { FieldError, InvalidEventError } from '../errors';
import type { Source } from '../event/catalog';
import type { ShapedEvent } from '../event/record';
import { type HttpRequest, type HttpResult, parseJsonBody, type Route, requireJsonContent } from '../http/request';
import { checkJsonShape } from '../json';
import type { Log } from '../logger';
import { type MetricsSink, NO_METRICS } from '../metrics/catalogue';
import type { Publisher } from '../publishing/types';
import type { EventStore, RecordOptions, RecordResult } from '../store/types';
import { within } from '../within';
import type { SenderFamily } from './family';

export interface WebhookDeps {
  store: EventStore;
  /** Unix milliseconds. */
  now: () => number;
  /** Largest metadata kept for one event, in bytes. */
  metadataBudget: number;
  /** Present when publishing is enabled. */
  publisher?: Publisher | undefined;
  logger: Log;
  /** Counts the events stored, by source; nothing is counted when not given. */
  metrics?: MetricsSink;
}

/**
 * How long a webhook waits for its events to be published before it answers anyway. The event is
 * stored either way; the redrive publishes what is still pending. GitHub gives up after 10 s.
 */
const PUBLISH_WAIT_MS = 5000;

/** No new event starts with less time than this left: one event's claim and write fit in it. */
const START_RESERVE_MS = 2000;
/** Time kept back from the publish wait to answer. */
const ANSWER_RESERVE_MS = 500;

/** The route of one sender family: its delivery authenticated, shaped, recorded, published, answered. */
export function webhookRoute<C>(family: SenderFamily<C>, sourceConfig: () => Promise<C>, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const config = await sourceConfig();
    const nowSeconds = Math.floor(deps.now() / 1000);
    const authentication = family.authenticate(config, request, nowSeconds);
    if (!authentication.accepted) throw authentication.refusal;
    const body = parseJsonBody(family.json?.(request) ?? jsonBody(request));
    const context = { deliveryKey: authentication.deliveryKey, nowSeconds, metadataBudget: deps.metadataBudget };
    const shaped = shape(body, (parsed) => family.shape(parsed, request, config, context));
    if ('ignored' in shaped) return ignored(shaped.ignored, family.source);
    return recordEvents(family.source, shaped.events, deps, {
      canStart: () => request.timeLeftMs() > START_RESERVE_MS,
      publishWaitMs: () => Math.min(PUBLISH_WAIT_MS, request.timeLeftMs() - ANSWER_RESERVE_MS),
    });
  };
}

function jsonBody(request: HttpRequest): string {
  requireJsonContent(request);
  return request.rawBody;
}

export interface RecordEventsOptions extends RecordOptions {
  /** How long to wait for publishes now; PUBLISH_WAIT_MS when not given. */
  publishWaitMs?: () => number;
}

/**
 * Stores the shaped events, publishes the new ones (bounded by PUBLISH_WAIT_MS and the time left),
 * and answers 202 with their ids. A failed publish leaves the event pending for the redrive.
 */
export async function recordEvents(
  source: Source,
  shaped: readonly ShapedEvent[],
  deps: WebhookDeps,
  options: RecordEventsOptions = {},
): Promise<HttpResult> {
  const results = await deps.store.recordAll(shaped, options.canStart ? { canStart: options.canStart } : {});
  const events = results.map(({ record, duplicate }) => ({ id: record.id, operation: record.operation, duplicate }));
  const duplicates = events.filter((event) => event.duplicate).length;
  const metrics = deps.metrics ?? NO_METRICS;
  if (events.length > duplicates) metrics.add('Events', { source, outcome: 'stored' }, events.length - duplicates);
  if (duplicates > 0) metrics.add('Events', { source, outcome: 'duplicate' }, duplicates);
  const waitMs = Math.max(0, options.publishWaitMs?.() ?? PUBLISH_WAIT_MS);
  const publishing = deps.publisher === undefined ? {} : await publishPending(results, deps.publisher, deps, waitMs);
  return {
    status: 202,
    body: { events },
    log: {
      source,
      outcome: 'accepted',
      event_ids: events.map((event) => event.id),
      operations: events.map((event) => event.operation),
      duplicates,
      ...publishing,
    },
  };
}

async function publishPending(
  results: readonly RecordResult[],
  publisher: Publisher,
  deps: WebhookDeps,
  waitMs: number,
) {
  const pending = results.filter((result) => result.pending).map((result) => result.record);
  if (pending.length === 0) return { published: 0 };
  const attempts = pending.map(async (record) => {
    try {
      await publisher.publish(record);
      await deps.store.markPublished(record.id);
      return true;
    } catch (error) {
      deps.logger.warn('publish failed; the event stays pending for the redrive', {
        event_id: record.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  });
  const settled = await within(Promise.all(attempts), waitMs, undefined);
  const published = settled?.filter(Boolean).length ?? 0;
  return { published, left_pending: pending.length - published, ...(settled ? {} : { publish_wait_exceeded: true }) };
}

/**
 * Runs shaping code over a parsed body and turns its FieldError into a 422 that names the field.
 * A `__proto__` key anywhere, or nesting deeper than any real body, is refused first.
 */
export function shape<T>(body: unknown, build: (body: unknown) => T): T {
  try {
    checkJsonShape(body);
    return build(body);
  } catch (error) {
    if (error instanceof FieldError) throw new InvalidEventError(error.path, error.requirement);
    throw error;
  }
}

/** A delivery that is well-formed but of a kind we do not record: 200, so the sender keeps the hook. */
export function ignored(reason: string, source: Source): HttpResult {
  return { status: 200, body: { events: [], ignored: reason }, log: { source, outcome: 'ignored', ignored: reason } };
}
