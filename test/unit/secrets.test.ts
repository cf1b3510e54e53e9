// Credentials read at run time: the file provider (what npm start uses), the cache (one read per
// max age, shared by concurrent callers, the last value kept through an outage, a 503 with none),
// applying a secret to the config (checked as if it were in the file), and rotation.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySecret, parseConfig, requireSource } from '../../shared/config/config';
import { cachedSecret, type SecretProvider, secretProviderFrom } from '../../shared/config/secrets';
import { ConfigError, ServiceUnavailableError } from '../../shared/errors';
import { authenticateStandardWebhook } from '../../shared/sources/standard-webhooks';
import { signStandard } from '../support/http';

const OLD = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const deployed = { AWS_LAMBDA_FUNCTION_NAME: 'junoevent-prod-confgo', JUNOEVENT_SECRETS: 'aws:junoevent/prod/confgo' };
const FILE_TEXT = '[junoevent]\n[junoevent.sources.confgo]\n[junoevent.api]\n';

function counting(values: (Record<string, unknown> | Error)[]): SecretProvider & { reads: number } {
  const provider = {
    name: 'test secret',
    reads: 0,
    read: async () => {
      const value = values[Math.min(provider.reads, values.length - 1)];
      provider.reads += 1;
      if (value instanceof Error) throw value;
      return value ?? {};
    },
  };
  return provider;
}

describe('run-time secrets', () => {
  it('lets a deployed config leave credentials to the secret, and checks them when the secret is applied', () => {
    const config = parseConfig(FILE_TEXT, { file: 'f.toml', env: deployed });
    expect(config.sources.confgo?.secret).toBeUndefined();
    const applied = applySecret(config, 'confgo', { secret: NEW, previous: { secret: OLD } }, 'the confgo secret');
    expect(applied.sources.confgo).toMatchObject({ secret: NEW, previous: { secret: OLD } });
    expect(() => applySecret(config, 'confgo', { secret: 'not-whsec' }, 'the confgo secret')).toThrow(
      /junoevent config f\.toml with the confgo secret: junoevent\.sources\.confgo\.secret must be a Standard Webhooks secret/,
    );
    expect(() => requireSource(config, 'confgo')).not.toThrow();
    expect(() => requireSource(applySecret(config, 'confgo', {}, 'the confgo secret'), 'confgo')).toThrow(
      /secret must be set/,
    );
    const api = applySecret(config, 'api', { token: 'a'.repeat(20), previous: { token: 'b'.repeat(20) } }, 's');
    expect(api.api).toEqual({ token: 'a'.repeat(20), previousToken: 'b'.repeat(20) });
  });

  it.each([
    ['confgo', { secret: NEW, allowUnsigned: true }, 'allowUnsigned', 'secret, previous'],
    ['git', { secret: 'a'.repeat(20), maxBodyBytes: 6_000_000 }, 'maxBodyBytes', 'secret, signingSecret, previous'],
    ['api', { token: 'a'.repeat(20), projects: {} }, 'projects', 'token, previous'],
  ] as const)('refuses a %s secret that sets %s, naming the key and not its value', (target, secret, key, keys) => {
    const config = parseConfig(FILE_TEXT, { file: 'f.toml', env: deployed });
    expect(() => applySecret(config, target, secret, 'the test secret')).toThrow(
      new ConfigError(`secret the test secret may set only credentials (${keys}): "${key}" is not one`),
    );
  });

  it('still refuses a deployed config without credentials when no secret is named', () => {
    const { JUNOEVENT_SECRETS: _none, ...env } = deployed;
    expect(() => requireSource(parseConfig(FILE_TEXT, { file: 'f.toml', env }), 'confgo')).toThrow(
      /secret must be set/,
    );
  });

  it('reads a file secret as npm start writes it, and names the provider for JUNOEVENT_SECRETS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junoevent-secrets-'));
    writeFileSync(join(dir, 'confgo.json'), JSON.stringify({ secret: NEW }));
    const provider = secretProviderFrom({ JUNOEVENT_SECRETS: `file:${join(dir, 'confgo')}` });
    expect(await provider?.read()).toEqual({ secret: NEW });
    expect(secretProviderFrom({})).toBeUndefined();
    expect(secretProviderFrom({ JUNOEVENT_SECRETS: 'aws:junoevent/prod/git' })?.name).toBe(
      'Secrets Manager junoevent/prod/git',
    );
    expect(() => secretProviderFrom({ JUNOEVENT_SECRETS: 'vault:x' })).toThrow(ConfigError);
    writeFileSync(join(dir, 'bad.json'), '[1,2]');
    await expect(secretProviderFrom({ JUNOEVENT_SECRETS: `file:${join(dir, 'bad')}` })?.read()).rejects.toThrow(
      /is not a JSON object/,
    );
  });

  it('reads at most once per max age, sharing one read between concurrent callers', async () => {
    let now = 0;
    const provider = counting([{ v: 1 }, { v: 2 }]);
    const cache = cachedSecret(provider, (secret) => secret.v, { maxAgeMs: 1000, now: () => now });
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([1, 1, 1]);
    expect(provider.reads).toBe(1);
    now = 999;
    expect(await cache.get()).toBe(1);
    now = 1000;
    expect(await cache.get()).toBe(2);
    expect(provider.reads).toBe(2);
  });

  it('is a 503 when the first read fails, and keeps the last value when a later one does', async () => {
    let now = 0;
    const errors: unknown[] = [];
    const down = cachedSecret(counting([new Error('unreachable')]), (s) => s, {
      now: () => now,
      onError: (e) => errors.push(e),
    });
    await expect(down.get()).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(errors).toHaveLength(1);

    const flaky = counting([{ v: 1 }, new Error('outage'), new Error('outage')]);
    const cache = cachedSecret(flaky, (secret) => secret.v, { maxAgeMs: 1000, now: () => now });
    expect(await cache.get()).toBe(1);
    now = 5000;
    expect(await cache.get()).toBe(1);
    expect(await cache.get()).toBe(1);
    // After a failed refresh, the next read is tried 30 s later, not on every request.
    expect(flaky.reads).toBe(2);
  });

  it('accepts the current and the previous secret during a rotation, and nothing else', () => {
    const config = applySecret(
      parseConfig(FILE_TEXT, { file: 'f.toml', env: deployed }),
      'confgo',
      { secret: NEW, previous: { secret: OLD } },
      's',
    );
    const source = config.sources.confgo;
    if (source === undefined) throw new Error('no confgo section');
    const request = (secret: string) => {
      const headers = signStandard(secret, '{}', { id: `msg_${secret.slice(-4)}` });
      return {
        method: 'POST',
        path: '/',
        headers,
        query: {},
        pathParameters: {},
        rawBody: '{}',
        timeLeftMs: () => Infinity,
      };
    };
    const now = Math.floor(Date.now() / 1000);
    expect(authenticateStandardWebhook(source, request(NEW), now)).toEqual({
      accepted: true,
      deliveryKey: `msg_${NEW.slice(-4)}`,
    });
    expect(authenticateStandardWebhook(source, request(OLD), now)).toEqual({
      accepted: true,
      deliveryKey: `msg_${OLD.slice(-4)}`,
    });
    const third = authenticateStandardWebhook(source, request('whsec_9mW4Zk0u0CbtfmtnKG9eJPWjI7Fj3sHg'), now);
    expect(third.accepted ? 'accepted' : third.refusal.message).toBe(
      'webhook-signature does not match the body and the secret',
    );
  });
});
