// The hashing and secret comparison every room uses: one implementation each.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SHA-256 of `text`, base64url: the form of every digest kept in a key (delivery keys, body hashes). */
export function sha256Base64url(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** SHA-256 of `text`, lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Lower-case hex HMAC-SHA256 of `text`. */
export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** HMAC-SHA256 of `text`, base64url: the form of a tag a token carries. */
export function hmacBase64url(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

/** Equal values, compared in constant time over their HMAC digests (no length leak either). */
export function sameSecret(given: string | Buffer, expected: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHmac('sha256', 'junoevent-compare').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether `given` equals any of `candidates` (the current credential and, during a rotation, the
 * previous one). Every candidate is compared, so the time taken does not say which one matched.
 */
export function sameAsAny(given: string | Buffer, candidates: readonly (string | Buffer)[]): boolean {
  return candidates.map((candidate) => sameSecret(given, candidate)).includes(true);
}
