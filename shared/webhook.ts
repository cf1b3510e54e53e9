// The webhook pipeline: verify → parse → shape → store → respond. Each source supplies the verify
// and shape steps; recording and the response are shared.

import { createHash } from 'node:crypto';
import type { Source } from './catalog';
import type { GitSourceConfig, GrafanaSourceConfig, SourceConfig } from './config';
import { parseEnvelope } from './envelope';
import { BadRequestError, InvalidEventError, UnauthorizedError } from './errors';
import { FieldError, findPrototypeKey } from './fields';
import { shapeGitHub, shapeGitLab } from './git';
import { shapeAlerts } from './grafana';
import { type HttpRequest, type HttpResult, parseJsonBody, type Route, requireJsonContent } from './http';
import type { ShapedEvent } from './record';
import type { EventStore } from './store';
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

/**
 * Runs shaping code over a parsed body and turns its FieldError into a 422 that names the field.
 * A `__proto__` key anywhere is refused first: nothing downstream merges untrusted keys.
 */
export function shape<T>(body: unknown, build: (body: unknown) => T): T {
  try {
    const prototypeKey = findPrototypeKey(body);
    if (prototypeKey !== undefined) throw new FieldError(prototypeKey, 'absent: __proto__ is not accepted as a key');
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
    return recordEvents('grafana', shaped, deps.store);
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

async function respondGit(shaped: ReturnType<typeof shapeGitLab>, deps: WebhookDeps): Promise<HttpResult> {
  if ('ignored' in shaped) return ignored(shaped.ignored, 'git');
  return recordEvents('git', shaped.events, deps.store);
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
