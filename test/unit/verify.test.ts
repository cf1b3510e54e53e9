import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../shared/errors';
import { verifyGitHubSignature } from '../../shared/sources/git/auth';
import { verifyGrafanaSignature } from '../../shared/sources/grafana/auth';
import { verifyStandardWebhook } from '../../shared/sources/standard-webhooks';

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

describe('Grafana HMAC signature', () => {
  const body = '{"status":"firing"}';

  it('matches the check values without and with a timestamp', () => {
    expect(() =>
      verifyGrafanaSignature(
        'grafana-secret',
        'bf139e3403a31e4b49defad120bc97d578b44bd35af83566821426b9bb7fc97d',
        undefined,
        body,
        0,
      ),
    ).not.toThrow();
    const timestamp = { header: 'x-grafana-alerting-timestamp', value: '1700000000' };
    expect(() =>
      verifyGrafanaSignature(
        'grafana-secret',
        'ab55bf0e780f8f32e85451f62e1ba2aee0589e5b2162cd2091e4db5072cc04ae',
        timestamp,
        body,
        1_700_000_100,
      ),
    ).not.toThrow();
  });

  it('rejects the untimed signature when a timestamp is required, and a stale timestamp', () => {
    const timestamp = { header: 'x-grafana-alerting-timestamp', value: '1700000000' };
    const untimed = 'bf139e3403a31e4b49defad120bc97d578b44bd35af83566821426b9bb7fc97d';
    expect(codeOf(() => verifyGrafanaSignature('grafana-secret', untimed, timestamp, body, 1_700_000_000))).toBe(
      'invalid_signature',
    );
    const timed = 'ab55bf0e780f8f32e85451f62e1ba2aee0589e5b2162cd2091e4db5072cc04ae';
    expect(codeOf(() => verifyGrafanaSignature('grafana-secret', timed, timestamp, body, 1_700_000_400))).toBe(
      'stale_signature',
    );
  });
});

describe('GitHub X-Hub-Signature-256', () => {
  it("matches GitHub's documented test vector", () => {
    expect(() =>
      verifyGitHubSignature(
        "It's a Secret to Everybody",
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        'Hello, World!',
      ),
    ).not.toThrow();
  });

  it('rejects a missing or different signature', () => {
    expect(codeOf(() => verifyGitHubSignature('secret', undefined, 'Hello, World!'))).toBe('missing_signature');
    expect(
      codeOf(() =>
        verifyGitHubSignature('secret', 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', 'x'),
      ),
    ).toBe('invalid_signature');
  });
});
