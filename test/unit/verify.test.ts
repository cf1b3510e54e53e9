// Every sender family's verification as predicates and results (no exceptions), and rotation: the
// previous credential of every kind is accepted beside the current one, and a third is refused.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GitSourceConfig, GrafanaSourceConfig } from '../../shared/config/types';
import type { HttpRequest } from '../../shared/http/request';
import { authenticateGitHub, authenticateGitLab, verifyGitHubSignature } from '../../shared/sources/git/auth';
import { authenticateGrafana, verifyGrafanaSignature } from '../../shared/sources/grafana/auth';
import { verifyStandardWebhook } from '../../shared/sources/standard-webhooks';
import type { Authentication } from '../../shared/sources/verify';
import { signStandard } from '../support/http';

// The Standard Webhooks specification's own test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = '1614265330';
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const NOW = 1614265330;

/** The refusal's code, or "accepted". */
function outcome(authentication: Authentication): string {
  return authentication.accepted ? 'accepted' : authentication.refusal.code;
}

/** The delivery key an accepted authentication gives. */
function keyOf(authentication: Authentication): string | undefined {
  if (!authentication.accepted) throw new Error(`refused: ${authentication.refusal.message}`);
  return authentication.deliveryKey;
}

describe('Standard Webhooks verification', () => {
  it('accepts the specification test vector and returns the webhook id', () => {
    expect(
      keyOf(verifyStandardWebhook([SECRET], { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE }, BODY, NOW)),
    ).toBe(ID);
  });

  it('accepts a matching signature among several (key rotation)', () => {
    const signature = `v1,bm90IHRoaXMgb25l v1a,ZWQyNTUxOQ== ${SIGNATURE}`;
    expect(keyOf(verifyStandardWebhook([SECRET], { id: ID, timestamp: TIMESTAMP, signature }, BODY, NOW))).toBe(ID);
  });

  it('rejects a body changed by one byte', () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(outcome(verifyStandardWebhook([SECRET], headers, '{"test": 2432232315}', NOW))).toBe('invalid_signature');
  });

  it('rejects a signature made with another secret', () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    const other = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    expect(outcome(verifyStandardWebhook([other], headers, BODY, NOW))).toBe('invalid_signature');
  });

  it('rejects a different webhook id (it is signed)', () => {
    const headers = { id: 'msg_other', timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(outcome(verifyStandardWebhook([SECRET], headers, BODY, NOW))).toBe('invalid_signature');
  });

  it('rejects timestamps more than 5 minutes away, in the past or the future', () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(outcome(verifyStandardWebhook([SECRET], headers, BODY, NOW + 301))).toBe('stale_signature');
    expect(outcome(verifyStandardWebhook([SECRET], headers, BODY, NOW - 301))).toBe('stale_signature');
    expect(keyOf(verifyStandardWebhook([SECRET], headers, BODY, NOW + 300))).toBe(ID);
  });

  it('rejects missing headers and malformed timestamps', () => {
    expect(
      outcome(verifyStandardWebhook([SECRET], { id: ID, timestamp: TIMESTAMP, signature: undefined }, BODY, NOW)),
    ).toBe('missing_signature');
    expect(
      outcome(verifyStandardWebhook([SECRET], { id: ID, timestamp: '16e8', signature: SIGNATURE }, BODY, NOW)),
    ).toBe('invalid_signature');
  });
});

describe('Grafana HMAC signature', () => {
  const body = '{"status":"firing"}';

  it('matches the check values without and with a timestamp', () => {
    expect(
      outcome(
        verifyGrafanaSignature(
          ['grafana-secret'],
          'bf139e3403a31e4b49defad120bc97d578b44bd35af83566821426b9bb7fc97d',
          undefined,
          body,
          0,
        ),
      ),
    ).toBe('accepted');
    const timestamp = { header: 'x-grafana-alerting-timestamp', value: '1700000000' };
    expect(
      outcome(
        verifyGrafanaSignature(
          ['grafana-secret'],
          'ab55bf0e780f8f32e85451f62e1ba2aee0589e5b2162cd2091e4db5072cc04ae',
          timestamp,
          body,
          1_700_000_100,
        ),
      ),
    ).toBe('accepted');
  });

  it('rejects the untimed signature when a timestamp is required, and a stale timestamp', () => {
    const timestamp = { header: 'x-grafana-alerting-timestamp', value: '1700000000' };
    const untimed = 'bf139e3403a31e4b49defad120bc97d578b44bd35af83566821426b9bb7fc97d';
    expect(outcome(verifyGrafanaSignature(['grafana-secret'], untimed, timestamp, body, 1_700_000_000))).toBe(
      'invalid_signature',
    );
    const timed = 'ab55bf0e780f8f32e85451f62e1ba2aee0589e5b2162cd2091e4db5072cc04ae';
    expect(outcome(verifyGrafanaSignature(['grafana-secret'], timed, timestamp, body, 1_700_000_400))).toBe(
      'stale_signature',
    );
  });
});

describe('GitHub X-Hub-Signature-256', () => {
  it("matches GitHub's documented test vector", () => {
    const github = verifyGitHubSignature(
      ["It's a Secret to Everybody"],
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      'Hello, World!',
    );
    expect(keyOf(github)).toMatch(/^github:body:/);
  });

  it('rejects a missing or different signature', () => {
    expect(outcome(verifyGitHubSignature(['secret'], undefined, 'Hello, World!'))).toBe('missing_signature');
    expect(
      outcome(
        verifyGitHubSignature(
          ['secret'],
          'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
          'x',
        ),
      ),
    ).toBe('invalid_signature');
  });
});

describe('rotation, for every sender family', () => {
  const CURRENT = 'current-secret-0123456789';
  const PREVIOUS = 'previous-secret-0123456789';
  const OTHER = 'other-secret-0123456789';
  const now = 1_800_000_000;
  const body = '{"object_kind":"push"}';
  const request = (headers: Record<string, string>): HttpRequest => ({
    method: 'POST',
    path: '/',
    headers,
    query: {},
    pathParameters: {},
    rawBody: body,
    timeLeftMs: () => Number.POSITIVE_INFINITY,
  });
  const base = { allowUnsigned: false, maxBodyBytes: 1_000_000 };
  const hex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

  it('grafana: the HMAC secret, the bearer token and Basic credentials, current and previous', () => {
    const config: GrafanaSourceConfig = {
      ...base,
      secret: CURRENT,
      token: 'token-now',
      basic: { username: 'am', password: 'pw-now' },
      previous: { secret: PREVIOUS, token: 'token-before', basic: { username: 'am', password: 'pw-before' } },
      signatureHeader: 'x-grafana-alerting-signature',
      timestampHeader: undefined,
      labels: { app_name: [], env: [], zone_code: [], aid: [], host_name: [] },
    };
    const signed = (secret: string) => request({ 'x-grafana-alerting-signature': hex(secret, body) });
    const bearer = (token: string) => request({ authorization: `Bearer ${token}` });
    const basic = (password: string) =>
      request({ authorization: `Basic ${Buffer.from(`am:${password}`).toString('base64')}` });
    const results = [CURRENT, PREVIOUS, OTHER].map((secret) =>
      outcome(authenticateGrafana(config, signed(secret), now)),
    );
    expect(results).toEqual(['accepted', 'accepted', 'invalid_signature']);
    const tokens = ['token-now', 'token-before', 'token-other'].map((t) =>
      outcome(authenticateGrafana(config, bearer(t), now)),
    );
    expect(tokens).toEqual(['accepted', 'accepted', 'invalid_token']);
    const basics = ['pw-now', 'pw-before', 'pw-other'].map((p) => outcome(authenticateGrafana(config, basic(p), now)));
    expect(basics).toEqual(['accepted', 'accepted', 'invalid_token']);
  });

  const git: GitSourceConfig = {
    ...base,
    secret: CURRENT,
    signingSecret: SECRET,
    previous: { secret: PREVIOUS, signingSecret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' },
    projects: new Map(),
  };

  it('GitLab: the token and the signing secret, current and previous, each with its own key', () => {
    const token = (value: string) => request({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': value });
    const results = [CURRENT, PREVIOUS, OTHER].map((value) => outcome(authenticateGitLab(git, token(value), now)));
    expect(results).toEqual(['accepted', 'accepted', 'invalid_token']);
    expect(keyOf(authenticateGitLab(git, token(PREVIOUS), now))).toMatch(/^gitlab:body:/);
    const at = new Date(now * 1000);
    const signed = (secret: string) =>
      request({ 'x-gitlab-event': 'Push Hook', ...signStandard(secret, body, { id: 'msg_rotated', at }) });
    expect(keyOf(authenticateGitLab(git, signed(SECRET), now))).toBe('gitlab:signed:msg_rotated');
    expect(keyOf(authenticateGitLab(git, signed('whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'), now))).toBe(
      'gitlab:signed:msg_rotated',
    );
    expect(outcome(authenticateGitLab(git, signed('whsec_9mW4Zk0u0CbtfmtnKG9eJPWjI7Fj3sHg'), now))).toBe(
      'invalid_signature',
    );
  });

  it('GitHub: the secret, current and previous', () => {
    const signed = (secret: string) =>
      request({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hex(secret, body)}` });
    const results = [CURRENT, PREVIOUS, OTHER].map((secret) => outcome(authenticateGitHub(git, signed(secret))));
    expect(results).toEqual(['accepted', 'accepted', 'invalid_signature']);
  });
});
