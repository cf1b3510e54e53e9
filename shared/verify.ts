// Webhook authentication over the raw body, before anything is parsed. Comparisons are constant-time.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './errors';

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
    .some((part) => safeEqual(Buffer.from(part.slice(3), 'base64'), expected));
  if (!matches) {
    throw new UnauthorizedError('invalid_signature', 'webhook-signature does not match the body and the secret');
  }
  return id;
}

/** Constant-time comparison that also tolerates different lengths. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
