// Authenticating GitLab (the webhook secret token, or a Standard Webhooks signature) and GitHub
// (X-Hub-Signature-256).

import type { GitSourceConfig } from '../../config/types';
import { hmacHex, sameSecret } from '../../crypto';
import { UnauthorizedError } from '../../errors';
import type { HttpRequest } from '../../http/request';
import { standardWebhookHeaders, verifyStandardWebhookWithAny } from '../standard-webhooks';

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
  const secrets = [config.secret, config.previous.secret].filter((secret) => secret !== undefined);
  if (secrets.length > 0 && !(config.allowUnsigned && signature === undefined)) {
    let failure: unknown;
    for (const secret of secrets) {
      try {
        verifyGitHubSignature(secret, signature, request.rawBody);
        return;
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
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
  const signingSecrets = [config.signingSecret, config.previous.signingSecret].filter((secret) => secret !== undefined);
  if (standard.signature !== undefined && signingSecrets.length > 0) {
    return verifyStandardWebhookWithAny(signingSecrets, standard, request.rawBody, nowSeconds);
  }
  const token = request.headers['x-gitlab-token'];
  const secrets = [config.secret, config.previous.secret].filter((secret) => secret !== undefined);
  if (token !== undefined && secrets.length > 0) {
    if (!secrets.map((secret) => sameSecret(token, secret)).some(Boolean))
      throw new UnauthorizedError('invalid_token', 'X-Gitlab-Token is not the configured secret');
    return undefined;
  }
  if (config.allowUnsigned && token === undefined && standard.signature === undefined) return undefined;
  throw new UnauthorizedError(
    'missing_signature',
    'expected X-Gitlab-Token (the webhook secret token) or a webhook-signature',
  );
}
