// Credentials read at run time: each function reads its own secret (a JSON object of the keys its
// config section takes: secret, token, username, password, signingSecret, and `previous` with the
// same keys during a rotation) from AWS Secrets Manager, or locally from a file in the same form.
// Read at most once per container per max age; a read that fails while an earlier value is still
// cached keeps the cached value, one that fails with nothing cached is a 503.
//
//   JUNOEVENT_SECRETS=aws:<secret id or ARN>     deployed (serverless.yml sets it per function)
//   JUNOEVENT_SECRETS=file:<path without .json>   npm start (.data/secrets/<function>.json)

import { readFile } from 'node:fs/promises';
import { ConfigError, ServiceUnavailableError } from '../errors';
import { isPlainObject } from '../json';

export interface SecretProvider {
  /** Where the secret is read from, for messages (never its value). */
  readonly name: string;
  read(): Promise<Record<string, unknown>>;
}

/** How long a secret read is used before it is read again: a rotated secret is live within this. */
const SECRET_MAX_AGE_MS = 5 * 60_000;
const RETRY_AFTER_FAILURE_MS = 30_000;

/** The provider JUNOEVENT_SECRETS names, or undefined when credentials are in the config file. */
export function secretProviderFrom(env: NodeJS.ProcessEnv = process.env): SecretProvider | undefined {
  const spec = env.JUNOEVENT_SECRETS;
  if (spec === undefined || spec === '') return undefined;
  const colon = spec.indexOf(':');
  const kind = spec.slice(0, colon);
  const where = spec.slice(colon + 1);
  if (colon < 1 || where === '') {
    throw new ConfigError(`JUNOEVENT_SECRETS must be aws:<secret id> or file:<path>, got ${JSON.stringify(spec)}`);
  }
  if (kind === 'aws') return secretsManagerSecret(where, env);
  if (kind === 'file') return fileSecret(`${where}.json`);
  throw new ConfigError(`JUNOEVENT_SECRETS must start with aws: or file:, got ${JSON.stringify(kind)}`);
}

function parseSecret(text: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`secret ${name} is not a JSON object`);
  }
  if (!isPlainObject(value)) throw new ConfigError(`secret ${name} is not a JSON object`);
  return value;
}

function secretsManagerSecret(secretId: string, env: NodeJS.ProcessEnv): SecretProvider {
  const name = `Secrets Manager ${secretId}`;
  let client: Promise<{ read(): Promise<string | undefined> }> | undefined;
  const load = async () =>
    (await import('./secrets-manager')).secretsManagerReader(secretId, env.SECRETS_MANAGER_ENDPOINT || undefined);
  return {
    name,
    async read() {
      client ??= load();
      const text = await (await client).read();
      if (text === undefined) throw new ConfigError(`secret ${name} has no SecretString`);
      return parseSecret(text, name);
    },
  };
}

function fileSecret(path: string): SecretProvider {
  const name = `file ${path}`;
  return { name, read: async () => parseSecret(await readFile(path, 'utf8'), name) };
}

export interface CachedSecret<T> {
  /** The secret turned into `T`, read again once `maxAgeMs` have passed. */
  get(): Promise<T>;
}

/**
 * Reads `provider` at most once per `maxAgeMs` (concurrent callers share one read) and turns each
 * value into `T` with `apply` once. A failed read keeps a cached value; with none, it is a 503.
 */
export function cachedSecret<T>(
  provider: SecretProvider,
  apply: (secret: Record<string, unknown>) => T,
  options: { maxAgeMs?: number; now?: () => number; onError?: (error: unknown) => void } = {},
): CachedSecret<T> {
  const maxAgeMs = options.maxAgeMs ?? SECRET_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  let cached: { value: T; readAt: number } | undefined;
  let reading: Promise<T> | undefined;

  const read = async (): Promise<T> => {
    try {
      const value = apply(await provider.read());
      cached = { value, readAt: now() };
      return value;
    } catch (error) {
      options.onError?.(error);
      if (cached !== undefined) {
        // Keep serving the last value; try again after RETRY_AFTER_FAILURE_MS, not on every request.
        cached = { value: cached.value, readAt: now() - maxAgeMs + RETRY_AFTER_FAILURE_MS };
        return cached.value;
      }
      throw new ServiceUnavailableError('the function cannot read its credentials; retry later', { cause: error });
    } finally {
      reading = undefined;
    }
  };

  return {
    get() {
      if (cached !== undefined && now() - cached.readAt < maxAgeMs) return Promise.resolve(cached.value);
      reading ??= read();
      return reading;
    },
  };
}
