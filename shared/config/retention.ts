// How long events are kept: `[junoevent] retention`, a Go-style duration ("2160h" is 90 days), or
// "0" (the default): forever, as Juno keeps them. A kept event carries `expires_at`, the table's TTL
// attribute, from the time it is written (shared/store/dynamo.ts).

import { FieldError } from '../errors';
import type { ObjectReader } from '../json';
import { parseDuration } from './duration';

/**
 * The shortest retention: 7 days. An event not yet published (the broker down over a long weekend)
 * is still there for the redrive, and a replay can still reach the last week; never shorter than
 * the redelivery window either, so an event always outlives the delivery item that names it.
 */
export const MIN_RETENTION_SECONDS = 7 * 24 * 3600;
/** The longest: 100 years, a bound that keeps every expiry a safe integer. */
export const MAX_RETENTION_SECONDS = 100 * 365 * 24 * 3600;

/** The retention in seconds; 0 for forever ("0", "" or absent). */
export function readRetention(junoevent: ObjectReader, redeliveryWindowSeconds: number): number {
  const text = junoevent.optionalString('retention');
  if (text === undefined || text === '' || text === '0') return 0;
  const ms = parseDuration(text);
  const min = Math.max(MIN_RETENTION_SECONDS, redeliveryWindowSeconds);
  if (ms === 0) return 0;
  if (ms === undefined || ms < min * 1000 || ms > MAX_RETENTION_SECONDS * 1000) {
    throw new FieldError(
      junoevent.at('retention'),
      `"0" (forever) or a duration from "${Math.ceil(min / 3600)}h" (7 days, and no shorter than redeliveryWindow) to "876000h", such as "2160h" for 90 days`,
      text,
    );
  }
  return Math.round(ms / 1000);
}
