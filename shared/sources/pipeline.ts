// The webhook pipeline: verify → parse → shape → store → respond. Each source supplies the verify
// and shape steps; recording and the response are shared.

import { createHash } from 'node:crypto';
import type { GitSourceConfig, GrafanaSourceConfig, SourceConfig } from '../config/config';
import { BadRequestError, InvalidEventError, UnauthorizedError } from '../errors';
import type { Source } from '../event/catalog';
import { checkJsonShape, FieldError } from '../event/fields';
import type { ShapedEvent } from '../event/record';
import { type HttpRequest, type HttpResult, parseJsonBody, type Route, requireJsonContent } from '../http/function';
import type { Log } from '../logger';
import { type Forwarder, within } from '../publishing/publisher';
import type { EventStore, RecordResult } from '../store/store';
import { parseEnvelope } from './envelope/envelope';
import { type GitShape, shapeGitHub, shapeGitLab } from './git/shape';
import { shapeAlerts } from './grafana/shape';
import {
  parseAuthorization,
  sameSecret,
  standardWebhookHeaders,
  verifyGitHubSignature,
  verifyGrafanaSignature,
  verifyStandardWebhook,
} from './verify';

export interface WebhookDeps {
  store: EventStore;
  /** Unix milliseconds. */
  now: () => number;
  /** Largest metadata kept for one event, in bytes. */
  metadataBudget: number;
  /** Present when forwarding is enabled. */
  forwarder?: Forwarder | undefined;
  logger: Log;
}

/**
 * How long a webhook waits for its events to be published before it answers anyway. The event is
 * stored either way; the redrive publishes what is still pending. GitHub gives up after 10 s.
 */
export const PUBLISH_WAIT_MS = 5000;

/**
 * Stores the shaped events, publishes the new ones (bounded by PUBLISH_WAIT_MS), and
 * answers 202 with their ids. A failed publish leaves the event pending for the redrive.
 */
export async function recordEvents(
  source: Source,
  shaped: readonly ShapedEvent[],
  deps: WebhookDeps,
): Promise<HttpResult> {
  // Recorded side by side (a notification's alerts are independent events); each draws its id
  // before its first write, so ids still follow the order of the body.
  const results: RecordResult[] = await Promise.all(
    shaped.map(({ draft, dedupKey }) => deps.store.record({ draft, dedupKey })),
  );
  const events = results.map(({ record, duplicate }) => ({ id: record.id, operation: record.operation, duplicate }));
  const publishing = deps.forwarder === undefined ? {} : await publishPending(results, deps.forwarder, deps);
  return {
    status: 202,
    body: { events },
    log: {
      source,
      outcome: 'accepted',
      event_ids: events.map((event) => event.id),
      operations: events.map((event) => event.operation),
      duplicates: events.filter((event) => event.duplicate).length,
      ...publishing,
    },
  };
}

async function publishPending(results: readonly RecordResult[], forwarder: Forwarder, deps: WebhookDeps) {
  const pending = results.filter((result) => result.pending).map((result) => result.record);
  if (pending.length === 0) return { forwarded: 0 };
  const attempts = pending.map(async (record) => {
    try {
      await forwarder.publish(record);
      await deps.store.markForwarded(record.id);
      return true;
    } catch (error) {
      deps.logger.warn('publish failed; the event stays pending for the redrive', {
        event_id: record.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  });
  const settled = await within(Promise.all(attempts), PUBLISH_WAIT_MS, undefined);
  const forwarded = settled?.filter(Boolean).length ?? 0;
  return { forwarded, left_pending: pending.length - forwarded, ...(settled ? {} : { publish_wait_exceeded: true }) };
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
    const draft = shape(body, (parsed) => parseEnvelope(source, parsed, nowSeconds));
    return recordEvents(source, [{ draft, dedupKey }], deps);
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

function ignored(reason: string, source: string): HttpResult {
  return { status: 200, body: { events: [], ignored: reason }, log: { source, outcome: 'ignored', ignored: reason } };
}

/**
 * grafana: Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts. A request is
 * authenticated by whichever configured credential it carries: the HMAC signature header, a bearer
 * token or HTTP Basic credentials.
 */
export function grafanaRoute(config: GrafanaSourceConfig, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const nowSeconds = Math.floor(deps.now() / 1000);
    authenticateGrafana(config, request, nowSeconds);
    requireJsonContent(request);
    const body = parseJsonBody(request.rawBody);
    const shaped = shape(body, (parsed) =>
      shapeAlerts(parsed, {
        labels: config.labels,
        metadataBudget: deps.metadataBudget,
        nowSeconds,
        rawBody: request.rawBody,
      }),
    );
    return recordEvents('grafana', shaped, deps);
  };
}

function authenticateGrafana(config: GrafanaSourceConfig, request: HttpRequest, nowSeconds: number): void {
  const signature = request.headers[config.signatureHeader];
  if (signature !== undefined && config.secret !== undefined) {
    const timestamp =
      config.timestampHeader === undefined
        ? undefined
        : { header: config.timestampHeader, value: request.headers[config.timestampHeader] };
    verifyGrafanaSignature(config.secret, signature, timestamp, request.rawBody, nowSeconds);
    return;
  }
  const credentials = parseAuthorization(request.headers.authorization);
  if (credentials?.scheme === 'bearer' && config.token !== undefined) {
    if (!sameSecret(credentials.token, config.token))
      throw new UnauthorizedError('invalid_token', 'the bearer token is not the configured one');
    return;
  }
  if (credentials?.scheme === 'basic' && config.basic !== undefined) {
    const userOk = sameSecret(credentials.username, config.basic.username);
    const passwordOk = sameSecret(credentials.password, config.basic.password);
    if (!(userOk && passwordOk))
      throw new UnauthorizedError('invalid_token', 'the Basic credentials are not the configured ones');
    return;
  }
  if (config.allowUnsigned && signature === undefined && credentials === undefined) return;
  throw new UnauthorizedError('missing_signature', `expected ${grafanaSchemes(config)}`);
}

function grafanaSchemes(config: GrafanaSourceConfig): string {
  const schemes = [
    config.secret === undefined ? undefined : `the ${config.signatureHeader} signature`,
    config.token === undefined ? undefined : 'Authorization: Bearer',
    config.basic === undefined ? undefined : 'Authorization: Basic',
  ].filter((scheme) => scheme !== undefined);
  return schemes.join(' or ');
}

/** git: GitLab (X-Gitlab-Event) and GitHub (X-GitHub-Event) webhooks. */
export function gitRoute(config: GitSourceConfig, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const nowSeconds = Math.floor(deps.now() / 1000);
    const gitlabEvent = request.headers['x-gitlab-event'];
    const githubEvent = request.headers['x-github-event'];
    const context = { projects: config.projects, metadataBudget: deps.metadataBudget, nowSeconds };
    if (gitlabEvent !== undefined) {
      authenticateGitLab(config, request, nowSeconds);
      requireJsonContent(request);
      const body = parseJsonBody(request.rawBody);
      const dedupKey = `gitlab:${request.headers['idempotency-key'] ?? request.headers['webhook-id'] ?? `body:${bodyHash(request.rawBody)}`}`;
      return respondGit(
        shape(body, (parsed) => shapeGitLab(gitlabEvent, parsed, { ...context, dedupKey })),
        deps,
      );
    }
    if (githubEvent !== undefined) {
      if (
        config.secret !== undefined &&
        !(config.allowUnsigned && request.headers['x-hub-signature-256'] === undefined)
      ) {
        verifyGitHubSignature(config.secret, request.headers['x-hub-signature-256'], request.rawBody);
      } else if (!config.allowUnsigned) {
        throw new UnauthorizedError(
          'missing_signature',
          'GitHub deliveries need a secret: set junoevent.sources.git.secret',
        );
      }
      const body = parseJsonBody(githubJson(request));
      const delivery = request.headers['x-github-delivery'];
      const dedupKey = `github:${delivery ?? `body:${bodyHash(request.rawBody)}`}`;
      return respondGit(
        shape(body, (parsed) => shapeGitHub(githubEvent, parsed, { ...context, dedupKey })),
        deps,
      );
    }
    throw new BadRequestError('unknown_sender', 'expected an X-Gitlab-Event or X-GitHub-Event header');
  };
}

async function respondGit(shaped: GitShape, deps: WebhookDeps): Promise<HttpResult> {
  if ('ignored' in shaped) return ignored(shaped.ignored, 'git');
  return recordEvents('git', shaped.events, deps);
}

function authenticateGitLab(config: GitSourceConfig, request: HttpRequest, nowSeconds: number): void {
  const standard = standardWebhookHeaders(request.headers);
  if (standard.signature !== undefined && config.signingSecret !== undefined) {
    verifyStandardWebhook(config.signingSecret, standard, request.rawBody, nowSeconds);
    return;
  }
  const token = request.headers['x-gitlab-token'];
  if (token !== undefined && config.secret !== undefined) {
    if (!sameSecret(token, config.secret))
      throw new UnauthorizedError('invalid_token', 'X-Gitlab-Token is not the configured secret');
    return;
  }
  if (config.allowUnsigned && token === undefined && standard.signature === undefined) return;
  throw new UnauthorizedError(
    'missing_signature',
    'expected X-Gitlab-Token (the webhook secret token) or a webhook-signature',
  );
}

/** GitHub posts JSON, or a form whose payload field holds the JSON; the signature covers the raw body. */
function githubJson(request: HttpRequest): string {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(request.rawBody).get('payload');
    if (payload === null) throw new BadRequestError('empty_body', 'the form has no payload field');
    return payload;
  }
  requireJsonContent(request);
  return request.rawBody;
}

function bodyHash(rawBody: string): string {
  return createHash('sha256').update(rawBody).digest('base64url');
}
