// The webhook pipeline: verify → parse → shape → store → respond. Each source supplies the verify
// and shape steps; recording and the response are shared.

import type { Source } from './catalog';
import type { SourceConfig } from './config';
import { parseEnvelope } from './envelope';
import { InvalidEventError } from './errors';
import { FieldError } from './fields';
import { type HttpRequest, type HttpResult, parseJsonBody, type Route, requireJsonContent } from './http';
import type { EventDraft } from './record';
import type { EventStore } from './store';
import { standardWebhookHeaders, verifyStandardWebhook } from './verify';

export interface ShapedEvent {
  draft: EventDraft;
  /** Identifies the delivery, so a redelivery records nothing new. */
  dedupKey: string | undefined;
}

export interface WebhookDeps {
  store: EventStore;
  /** Unix milliseconds. */
  now: () => number;
}

/** Stores the shaped events in order and answers 202 with their ids. */
export async function recordEvents(
  source: Source,
  shaped: readonly ShapedEvent[],
  store: EventStore,
): Promise<HttpResult> {
  const events: { id: number; operation: string; duplicate: boolean }[] = [];
  for (const { draft, dedupKey } of shaped) {
    const { record, duplicate } = await store.record({ draft, dedupKey });
    events.push({ id: record.id, operation: record.operation, duplicate });
  }
  return {
    status: 202,
    body: { events },
    log: {
      source,
      outcome: 'accepted',
      event_ids: events.map((event) => event.id),
      operations: events.map((event) => event.operation),
      duplicates: events.filter((event) => event.duplicate).length,
    },
  };
}

/** Runs shaping code and turns its FieldError into a 422 that names the field. */
export function shape<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof FieldError)
      throw new InvalidEventError(error.path, error.message.slice(error.path.length + 1));
    throw error;
  }
}

/**
 * confgo and devops: a Juno event envelope signed with Standard Webhooks. The webhook-id is the
 * dedup key; an unsigned request (allowed only by a local config) has none.
 */
export function envelopeRoute(source: Source, sourceConfig: SourceConfig, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const nowSeconds = Math.floor(deps.now() / 1000);
    const dedupKey = authenticateStandardWebhook(sourceConfig, request, nowSeconds);
    requireJsonContent(request);
    const body = parseJsonBody(request.rawBody);
    const draft = shape(() => parseEnvelope(source, body, nowSeconds));
    return recordEvents(source, [{ draft, dedupKey }], deps.store);
  };
}

function authenticateStandardWebhook(
  config: SourceConfig,
  request: HttpRequest,
  nowSeconds: number,
): string | undefined {
  const headers = standardWebhookHeaders(request.headers);
  const signed = headers.id !== undefined || headers.signature !== undefined || headers.timestamp !== undefined;
  if (config.secret !== undefined && (signed || !config.allowUnsigned)) {
    return verifyStandardWebhook(config.secret, headers, request.rawBody, nowSeconds);
  }
  if (!config.allowUnsigned) throw new Error('unreachable: a source without a secret must allow unsigned requests');
  return undefined;
}
