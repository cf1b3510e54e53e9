// Standard Webhooks (spec v1): the signature confgo, devops and signed GitLab deliveries carry.

import { createHmac } from 'node:crypto';
import { inRotation, type SourceConfig } from '../config/types';
import { sameSecret } from '../crypto';
import type { HttpRequest } from '../http/request';
import { type Authentication, accepted, anyCredential, refused, timestampRefusal } from './verify';

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
 * Whether one of the "v1," signatures (several are space-separated during a sender's key rotation)
 * is the HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>" with `secret`.
 */
export function standardSignatureMatches(
  secret: string,
  { id, timestamp, signature }: StandardWebhookHeaders,
  rawBody: string,
): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  return (signature ?? '')
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => sameSecret(Buffer.from(part.slice(3), 'base64'), expected))
    .includes(true);
}

/**
 * A Standard Webhooks delivery signed with one of `secrets`, within the time window: accepted with
 * its webhook id as the delivery key.
 */
export function verifyStandardWebhook(
  secrets: readonly string[],
  headers: StandardWebhookHeaders,
  rawBody: string,
  nowSeconds: number,
): Authentication {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    return refused(
      'missing_signature',
      'webhook-id, webhook-timestamp and webhook-signature headers are required (Standard Webhooks)',
    );
  }
  const stale = timestampRefusal(timestamp, nowSeconds, 'webhook-timestamp');
  if (stale !== undefined) return stale;
  if (!anyCredential(secrets, (secret) => standardSignatureMatches(secret, headers, rawBody))) {
    return refused('invalid_signature', 'webhook-signature does not match the body and the secret');
  }
  return accepted(id);
}

/**
 * Authenticates a Standard Webhooks request to a source: its webhook id is the delivery key; an
 * unsigned request that a local config allows has none.
 */
export function authenticateStandardWebhook(
  config: SourceConfig,
  request: HttpRequest,
  nowSeconds: number,
): Authentication {
  const headers = standardWebhookHeaders(request.headers);
  const signed = headers.id !== undefined || headers.signature !== undefined || headers.timestamp !== undefined;
  const secrets = inRotation(config.secret, config.previous.secret);
  if (secrets.length > 0 && (signed || !config.allowUnsigned)) {
    return verifyStandardWebhook(secrets, headers, request.rawBody, nowSeconds);
  }
  if (!config.allowUnsigned) throw new Error('unreachable: a source without a secret must allow unsigned requests');
  return accepted();
}
