// Webhook authentication over the raw body, before anything is parsed. Comparisons are constant-time.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors';

/** Standard Webhooks senders sign "<webhook-id>.<webhook-timestamp>.<body>"; we accept ±5 minutes. */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function standardWebhookHeaders(headers: Readonly<Record<string, string | undefined>>): StandardWebhookHeaders {
  return {
    id: headers['webhook-id'],
    timestamp: headers['webhook-timestamp'],
    signature: headers['webhook-signature'],
  };
}

/**
 * Verifies a Standard Webhooks signature (spec v1, HMAC-SHA256 "v1," signatures; several
 * space-separated signatures are allowed during key rotation). Returns the webhook id.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: StandardWebhookHeaders,
  rawBody: string,
  nowSeconds: number,
): string {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    throw new UnauthorizedError(
      'missing_signature',
      'webhook-id, webhook-timestamp and webhook-signature headers are required (Standard Webhooks)',
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new UnauthorizedError('invalid_signature', 'webhook-timestamp must be unix seconds');
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) {
    throw new UnauthorizedError(
      'stale_signature',
      `webhook-timestamp is more than ${STANDARD_WEBHOOKS_TOLERANCE_SECONDS} seconds from now`,
    );
  }
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  const matches = signature
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .some((part) => sameSecret(Buffer.from(part.slice(3), 'base64'), expected));
  if (!matches) {
    throw new UnauthorizedError('invalid_signature', 'webhook-signature does not match the body and the secret');
  }
  return id;
}

/** Lower-case hex HMAC-SHA256 of `text`. */
function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Equal values, compared in constant time over their HMAC digests (no length leak either). */
export function sameSecret(given: string | Buffer, expected: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHmac('sha256', 'junoevent-compare').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Grafana's HMAC signature: lower-case hex HMAC-SHA256 of the body, or of "<timestamp>:<body>" when
 * a timestamp header is configured; the timestamp must then be within 5 minutes.
 */
export function verifyGrafanaSignature(
  secret: string,
  signature: string,
  timestamp: { header: string; value: string | undefined } | undefined,
  rawBody: string,
  nowSeconds: number,
): void {
  let signed = rawBody;
  if (timestamp !== undefined) {
    const { header, value } = timestamp;
    if (value === undefined || !/^\d{1,12}$/.test(value)) {
      throw new UnauthorizedError('missing_signature', `${header} must carry the unix time the signature was made`);
    }
    if (Math.abs(nowSeconds - Number(value)) > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) {
      throw new UnauthorizedError('stale_signature', `${header} is more than 300 seconds from now`);
    }
    signed = `${value}:${rawBody}`;
  }
  if (!sameSecret(signature.trim().toLowerCase(), hmacHex(secret, signed))) {
    throw new UnauthorizedError('invalid_signature', 'the Grafana signature does not match the body and the secret');
  }
}

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

/** The credentials of an Authorization header, if it has a scheme we read. */
export function parseAuthorization(
  header: string | undefined,
): { scheme: 'bearer'; token: string } | { scheme: 'basic'; username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^(\w+)\s+(\S+)\s*$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2] ?? '';
  if (scheme === 'bearer') return { scheme, token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { scheme, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
