// Standard Webhooks (spec v1): the signature confgo, devops and signed GitLab deliveries carry.

import { createHmac } from 'node:crypto';
import { inRotation, type SourceConfig } from '../config/types';
import { sameSecret } from '../crypto';
import { UnauthorizedError } from '../errors';
import type { HttpRequest } from '../http/request';

/** Senders sign "<webhook-id>.<webhook-timestamp>.<body>"; we accept ±5 minutes. */
const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

interface StandardWebhookHeaders {
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

/** Checks a signing timestamp (unix seconds) against the tolerance; `what` names it in errors. */
export function checkTimestamp(value: string | undefined, nowSeconds: number, what: string): void {
  if (value === undefined || !/^\d{1,12}$/.test(value)) {
    throw new UnauthorizedError('invalid_signature', `${what} must be unix seconds`);
  }
  if (Math.abs(nowSeconds - Number(value)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new UnauthorizedError(
      'stale_signature',
      `${what} is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds from now`,
    );
  }
}

/**
 * Verifies a Standard Webhooks signature (HMAC-SHA256 "v1," signatures; several space-separated
 * signatures are allowed during key rotation). Returns the webhook id.
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
  checkTimestamp(timestamp, nowSeconds, 'webhook-timestamp');
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

/**
 * Runs `verify` with each secret in turn (the current one, then the previous one of a rotation) and
 * returns what the first that matches gives. Only a signature that does not match moves on to the
 * next secret; any other refusal (missing, stale) is the same for every secret and is thrown at once.
 */
export function verifyWithAny<T>(secrets: readonly string[], verify: (secret: string) => T): T {
  let failure: unknown;
  for (const secret of secrets) {
    try {
      return verify(secret);
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || error.code !== 'invalid_signature') throw error;
      failure = error;
    }
  }
  throw failure;
}

/**
 * Authenticates a Standard Webhooks request to a source; returns the webhook id (the delivery key),
 * or undefined for an unsigned request that a local config allows.
 */
export function authenticateStandardWebhook(
  config: SourceConfig,
  request: HttpRequest,
  nowSeconds: number,
): string | undefined {
  const headers = standardWebhookHeaders(request.headers);
  const signed = headers.id !== undefined || headers.signature !== undefined || headers.timestamp !== undefined;
  const secrets = inRotation(config.secret, config.previous.secret);
  if (secrets.length > 0 && (signed || !config.allowUnsigned)) {
    return verifyWithAny(secrets, (secret) => verifyStandardWebhook(secret, headers, request.rawBody, nowSeconds));
  }
  if (!config.allowUnsigned) throw new Error('unreachable: a source without a secret must allow unsigned requests');
  return undefined;
}
