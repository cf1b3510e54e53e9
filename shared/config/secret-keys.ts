// What a function's run-time secret may hold: credentials only, each target's own keys, and the
// replay function's resume key. A refusal names the secret and the key, never a value.

import { ConfigError } from '../errors';
import type { Source } from '../event/catalog';
import { cutText } from '../text';

/** Where a function's run-time secret goes: a source's section, or [junoevent.api] for the read API. */
export type SecretTarget = Source | 'api';

/** The keys a function's secret may set: its credentials only, never a setting such as allowUnsigned. */
export const SECRET_KEYS: Readonly<Record<SecretTarget, readonly string[]>> = {
  confgo: ['secret', 'previous'],
  devops: ['secret', 'previous'],
  grafana: ['secret', 'token', 'username', 'password', 'previous'],
  git: ['secret', 'signingSecret', 'previous'],
  api: ['token', 'previous'],
};

/** The shortest replay key accepted: `npm run secrets` makes 43 characters (32 random bytes). */
const MIN_RESUME_KEY_LENGTH = 32;

/**
 * The replay function's secret: `resumeKey`, the key that signs its resume tokens, and nothing else.
 * Throws ConfigError naming the secret and the key, never the value.
 */
export function readReplaySecret(secret: Record<string, unknown>, name: string): string {
  onlyCredentialKeys(secret, ['resumeKey'], name);
  const key = secret.resumeKey;
  if (typeof key !== 'string' || key.length < MIN_RESUME_KEY_LENGTH) {
    throw new ConfigError(
      `secret ${name}: resumeKey must be a random string of at least ${MIN_RESUME_KEY_LENGTH} characters`,
    );
  }
  return key;
}

export function onlyCredentialKeys(secret: Record<string, unknown>, allowed: readonly string[], name: string): void {
  for (const key of Object.keys(secret)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(
        `secret ${name} may set only credentials (${allowed.join(', ')}): ${JSON.stringify(boundedKey(key))} is not one`,
      );
    }
  }
}

function boundedKey(key: string): string {
  return cutText(key, 64);
}
