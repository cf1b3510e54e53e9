// Authenticating GitLab (the webhook secret token, or a Standard Webhooks signature) and GitHub
// (X-Hub-Signature-256).

import { type GitSourceConfig, inRotation } from '../../config/types';
import { hmacHex, sameAsAny, sameSecret } from '../../crypto';
import { UnauthorizedError } from '../../errors';
import type { HttpRequest } from '../../http/request';
import { standardWebhookHeaders, verifyStandardWebhook, verifyWithAny } from '../standard-webhooks';

/** GitHub's X-Hub-Signature-256: "sha256=" and the lower-case hex HMAC-SHA256 of the raw body. */
export function verifyGitHubSignature(secret: string, signature: string | undefined, rawBody: string): void {
  if (signature === undefined) {
    throw new UnauthorizedError(
      'missing_signature',
      'X-Hub-Signature-256 is required: set a secret on the GitHub webhook',
    );
  }
  if (!sameSecret(signature.trim(), `sha256=${hmacHex(secret, rawBody)}`)) {
    throw new UnauthorizedError('invalid_signature', 'X-Hub-Signature-256 does not match the body and the secret');
  }
}

export function authenticateGitHub(config: GitSourceConfig, request: HttpRequest): void {
  const signature = request.headers['x-hub-signature-256'];
  const secrets = inRotation(config.secret, config.previous.secret);
  if (secrets.length > 0 && !(config.allowUnsigned && signature === undefined)) {
    verifyWithAny(secrets, (secret) => verifyGitHubSignature(secret, signature, request.rawBody));
    return;
  }
  if (!config.allowUnsigned) {
    throw new UnauthorizedError(
      'missing_signature',
      'GitHub deliveries need a secret: set junoevent.sources.git.secret',
    );
  }
}

/** Returns the signed webhook-id when the delivery was signed (Standard Webhooks), else undefined. */
export function authenticateGitLab(
  config: GitSourceConfig,
  request: HttpRequest,
  nowSeconds: number,
): string | undefined {
  const standard = standardWebhookHeaders(request.headers);
  const signingSecrets = inRotation(config.signingSecret, config.previous.signingSecret);
  if (standard.signature !== undefined && signingSecrets.length > 0) {
    return verifyWithAny(signingSecrets, (secret) =>
      verifyStandardWebhook(secret, standard, request.rawBody, nowSeconds),
    );
  }
  const token = request.headers['x-gitlab-token'];
  const secrets = inRotation(config.secret, config.previous.secret);
  if (token !== undefined && secrets.length > 0) {
    if (!sameAsAny(token, secrets))
      throw new UnauthorizedError('invalid_token', 'X-Gitlab-Token is not the configured secret');
    return undefined;
  }
  if (config.allowUnsigned && token === undefined && standard.signature === undefined) return undefined;
  throw new UnauthorizedError(
    'missing_signature',
    'expected X-Gitlab-Token (the webhook secret token) or a webhook-signature',
  );
}
