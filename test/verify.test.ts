import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../shared/errors';
import { verifyStandardWebhook } from '../shared/verify';

// The Standard Webhooks specification's own test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = '1614265330';
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const NOW = 1614265330;

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return (error as UnauthorizedError).code;
  }
  throw new Error('expected an UnauthorizedError');
}

describe('Standard Webhooks verification', () => {
  it('accepts the specification test vector and returns the webhook id', () => {
    expect(verifyStandardWebhook(SECRET, { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE }, BODY, NOW)).toBe(ID);
  });

  it('accepts a matching signature among several (key rotation)', () => {
    const signature = `v1,bm90IHRoaXMgb25l v1a,ZWQyNTUxOQ== ${SIGNATURE}`;
    expect(verifyStandardWebhook(SECRET, { id: ID, timestamp: TIMESTAMP, signature }, BODY, NOW)).toBe(ID);
  });

  it('rejects a body changed by one byte', () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, '{"test": 2432232315}', NOW))).toBe('invalid_signature');
  });

  it('rejects a signature made with another secret', () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    const other = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    expect(codeOf(() => verifyStandardWebhook(other, headers, BODY, NOW))).toBe('invalid_signature');
  });

  it('rejects a different webhook id (it is signed)', () => {
    const headers = { id: 'msg_other', timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, BODY, NOW))).toBe('invalid_signature');
  });

  it('rejects timestamps more than 5 minutes away, in the past or the future', () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, BODY, NOW + 301))).toBe('stale_signature');
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, BODY, NOW - 301))).toBe('stale_signature');
    expect(verifyStandardWebhook(SECRET, headers, BODY, NOW + 300)).toBe(ID);
  });

  it('rejects missing headers and malformed timestamps', () => {
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, { id: ID, timestamp: TIMESTAMP, signature: undefined }, BODY, NOW)),
    ).toBe('missing_signature');
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, { id: ID, timestamp: '16e8', signature: SIGNATURE }, BODY, NOW)),
    ).toBe('invalid_signature');
  });
});
