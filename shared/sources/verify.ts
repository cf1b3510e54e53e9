// What every sender family's authentication shares: its result type, the signing-time window, and
// trying each credential of a rotation. Checks are predicates; a family decides the answer from them.

import { type HttpError, UnauthorizedError } from '../errors';

/** A delivery is accepted, with the key that identifies it (when its sender gives one), or refused with why. */
export type Authentication =
  | { accepted: true; deliveryKey: string | undefined }
  | { accepted: false; refusal: HttpError };

export function accepted(deliveryKey?: string): Authentication {
  return { accepted: true, deliveryKey };
}

export function refused(
  code: 'missing_signature' | 'invalid_signature' | 'stale_signature' | 'invalid_token',
  message: string,
): Authentication {
  return { accepted: false, refusal: new UnauthorizedError(code, message) };
}

/** Senders sign their time too; we accept ±5 minutes. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** Why a signing time (unix seconds) is refused, or undefined when it is within the window; `what` names it. */
export function timestampRefusal(
  value: string | undefined,
  nowSeconds: number,
  what: string,
): Authentication | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value))
    return refused('invalid_signature', `${what} must be unix seconds`);
  if (Math.abs(nowSeconds - Number(value)) > SIGNATURE_TOLERANCE_SECONDS) {
    return refused('stale_signature', `${what} is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds from now`);
  }
  return undefined;
}

/**
 * Whether any credential of a rotation (the current one, then the previous one) passes `matches`.
 * Every one is tried, so the time taken does not say which matched.
 */
export function anyCredential<T>(credentials: readonly T[], matches: (credential: T) => boolean): boolean {
  return credentials.map(matches).includes(true);
}
