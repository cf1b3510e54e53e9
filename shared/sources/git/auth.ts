// Authenticating GitLab (the webhook secret token, or a Standard Webhooks signature) and GitHub
// (X-Hub-Signature-256), each with the key that identifies its delivery.

import { type GitSourceConfig, inRotation } from '../../config/types';
import { hmacHex, sameAsAny, sameSecret, sha256Base64url } from '../../crypto';
import type { HttpRequest } from '../../http/request';
import { standardWebhookHeaders, verifyStandardWebhook } from '../standard-webhooks';
import { type Authentication, accepted, anyCredential, refused } from '../verify';

/** GitHub's X-Hub-Signature-256: "sha256=" and the lower-case hex HMAC-SHA256 of the raw body. */
export function githubSignatureMatches(secret: string, signature: string, rawBody: string): boolean {
  return sameSecret(signature.trim(), `sha256=${hmacHex(secret, rawBody)}`);
}

/** A GitHub delivery signed with one of `secrets`, keyed by the signed body itself. */
export function verifyGitHubSignature(
  secrets: readonly string[],
  signature: string | undefined,
  rawBody: string,
): Authentication {
  if (signature === undefined) {
    return refused('missing_signature', 'X-Hub-Signature-256 is required: set a secret on the GitHub webhook');
  }
  if (!anyCredential(secrets, (secret) => githubSignatureMatches(secret, signature, rawBody))) {
    return refused('invalid_signature', 'X-Hub-Signature-256 does not match the body and the secret');
  }
  return accepted(githubDeliveryKey(rawBody));
}

/**
 * GitHub's signature has no timestamp, so a captured delivery can be resent with a new
 * X-GitHub-Delivery: the signed body itself is the delivery key (a redelivery sends it again).
 */
function githubDeliveryKey(rawBody: string): string {
  return `github:body:${sha256Base64url(rawBody)}`;
}

export function authenticateGitHub(config: GitSourceConfig, request: HttpRequest): Authentication {
  const signature = request.headers['x-hub-signature-256'];
  const secrets = inRotation(config.secret, config.previous.secret);
  if (secrets.length > 0 && !(config.allowUnsigned && signature === undefined)) {
    return verifyGitHubSignature(secrets, signature, request.rawBody);
  }
  if (!config.allowUnsigned) {
    return refused('missing_signature', 'GitHub deliveries need a secret: set junoevent.sources.git.secret');
  }
  return accepted(githubDeliveryKey(request.rawBody));
}

/** A signed webhook-id, else the token (with the delivery's Idempotency-Key or body as its key). */
export function authenticateGitLab(config: GitSourceConfig, request: HttpRequest, nowSeconds: number): Authentication {
  const standard = standardWebhookHeaders(request.headers);
  const signingSecrets = inRotation(config.signingSecret, config.previous.signingSecret);
  if (standard.signature !== undefined && signingSecrets.length > 0) {
    const signed = verifyStandardWebhook(signingSecrets, standard, request.rawBody, nowSeconds);
    return signed.accepted ? accepted(`gitlab:signed:${signed.deliveryKey}`) : signed;
  }
  const token = request.headers['x-gitlab-token'];
  const secrets = inRotation(config.secret, config.previous.secret);
  if (token !== undefined && secrets.length > 0) {
    return sameAsAny(token, secrets)
      ? accepted(unsignedGitLabKey(request))
      : refused('invalid_token', 'X-Gitlab-Token is not the configured secret');
  }
  if (config.allowUnsigned && token === undefined && standard.signature === undefined) {
    return accepted(unsignedGitLabKey(request));
  }
  return refused('missing_signature', 'expected X-Gitlab-Token (the webhook secret token) or a webhook-signature');
}

/**
 * An unsigned GitLab delivery's key: its Idempotency-Key, else its body's hash. Each kind has its own
 * namespace (as the signed webhook-id has): a holder of the token alone chooses the Idempotency-Key,
 * and must not be able to claim the key of a later signed delivery or of a body's hash by sending it.
 */
function unsignedGitLabKey(request: HttpRequest): string {
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined) return `gitlab:idempotency:${idempotencyKey}`;
  return `gitlab:body:${sha256Base64url(request.rawBody)}`;
}
