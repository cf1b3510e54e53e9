// POST /webhooks/git: GitLab (X-Gitlab-Event) and GitHub (X-GitHub-Event) webhooks.

import type { GitSourceConfig } from '../../config/types';
import { sha256Base64url } from '../../crypto';
import { BadRequestError } from '../../errors';
import { type HttpRequest, mediaType, parseJsonBody, type Route, requireJsonContent } from '../../http/request';
import { ignored, recordEvents, shape, type WebhookDeps } from '../pipeline';
import { authenticateGitHub, authenticateGitLab } from './auth';
import type { GitShape } from './event';
import { shapeGitHub } from './github';
import { shapeGitLab } from './gitlab';

export function gitRoute(sourceConfig: () => Promise<GitSourceConfig>, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const config = await sourceConfig();
    const nowSeconds = Math.floor(deps.now() / 1000);
    const gitlabEvent = request.headers['x-gitlab-event'];
    const githubEvent = request.headers['x-github-event'];
    const context = { projects: config.projects, metadataBudget: deps.metadataBudget, nowSeconds };
    if (gitlabEvent !== undefined) {
      const signedId = authenticateGitLab(config, request, nowSeconds);
      requireJsonContent(request);
      const body = parseJsonBody(request.rawBody);
      const deliveryKey = gitlabDeliveryKey(signedId, request);
      return respond(
        shape(body, (parsed) => shapeGitLab(gitlabEvent, parsed, { ...context, deliveryKey })),
        deps,
      );
    }
    if (githubEvent !== undefined) {
      authenticateGitHub(config, request);
      const body = parseJsonBody(githubJson(request));
      // GitHub's signature has no timestamp, so a captured delivery can be resent with a new
      // X-GitHub-Delivery: the signed body itself is the delivery key (a redelivery sends it again).
      const deliveryKey = `github:body:${sha256Base64url(request.rawBody)}`;
      return respond(
        shape(body, (parsed) => shapeGitHub(githubEvent, parsed, { ...context, deliveryKey })),
        deps,
      );
    }
    throw new BadRequestError('unknown_sender', 'expected an X-Gitlab-Event or X-GitHub-Event header');
  };
}

/**
 * A signed webhook-id is the key; an unsigned Idempotency-Key beside it cannot override it. Each kind
 * has its own namespace: a holder of the token alone chooses the Idempotency-Key, and must not be able
 * to claim the key of a later signed delivery or of a body's hash by sending it as one.
 */
function gitlabDeliveryKey(signedId: string | undefined, request: HttpRequest): string {
  if (signedId !== undefined) return `gitlab:signed:${signedId}`;
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined) return `gitlab:idempotency:${idempotencyKey}`;
  return `gitlab:body:${sha256Base64url(request.rawBody)}`;
}

function respond(shaped: GitShape, deps: WebhookDeps) {
  if ('ignored' in shaped) return Promise.resolve(ignored(shaped.ignored, 'git'));
  return recordEvents('git', shaped.events, deps);
}

/** GitHub posts JSON, or a form whose payload field holds the JSON; the signature covers the raw body. */
function githubJson(request: HttpRequest): string {
  if (mediaType(request) === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(request.rawBody).get('payload');
    if (payload === null) throw new BadRequestError('empty_body', 'the form has no payload field');
    return payload;
  }
  requireJsonContent(request);
  return request.rawBody;
}
