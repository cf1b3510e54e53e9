// junoevent.toml: loaded once per container, validated, frozen. A bad or missing value throws one
// ConfigError naming the file, the key and the expected form; nothing runs half-configured.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { SOURCES, type Source } from './catalog';
import { ConfigError } from './errors';
import { FieldError, isPlainObject, ObjectReader } from './fields';

export interface RocketMqConfig {
  readonly enable: boolean;
  readonly addr: readonly string[];
  readonly topic: string;
  readonly group: string;
  /** Attempts after the first one. */
  readonly retry: number;
  readonly dialTimeoutMs: number;
}

export interface SourceConfig {
  readonly secret: string | undefined;
  readonly allowUnsigned: boolean;
}

export interface Config {
  /** The file this was read from, for messages. */
  readonly file: string;
  readonly table: string;
  readonly maxBodyBytes: number;
  readonly api: { readonly token: string | undefined };
  readonly rocketmq: RocketMqConfig;
  readonly sources: Readonly<Partial<Record<Source, SourceConfig>>>;
}

export const DEFAULT_CONFIG_FILE = 'junoevent.toml';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const MIN_TOKEN_LENGTH = 16;

export interface LoadOptions {
  /** Defaults to $JUNOEVENT_CONFIG, then ./junoevent.toml. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads and validates the config file named by the options or the environment. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = resolve(options.file ?? env.JUNOEVENT_CONFIG ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`junoevent config ${file} cannot be read: create it or set JUNOEVENT_CONFIG to its path`, {
      cause: error,
    });
  }
  return parseConfig(text, { file, env });
}

/**
 * True where unsigned webhooks may be allowed: under the local emulator, or outside Lambda
 * (tests and scripts). A deployed function never accepts `allowUnsigned = true`.
 */
export function isLocalRuntime(env: NodeJS.ProcessEnv): boolean {
  return env.IS_OFFLINE === 'true' || env.AWS_LAMBDA_FUNCTION_NAME === undefined;
}

export function parseConfig(text: string, options: { file: string; env: NodeJS.ProcessEnv }): Config {
  const { file, env } = options;
  let document: unknown;
  try {
    document = parseToml(text);
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    throw new ConfigError(`junoevent config ${file} is not valid TOML${where}`, { cause: error });
  }
  try {
    return Object.freeze(readConfig(expandEnv(document, '', env), file, isLocalRuntime(env)));
  } catch (error) {
    if (error instanceof FieldError) throw new ConfigError(`junoevent config ${file}: ${error.message}`);
    throw error;
  }
}

/** Replaces `${NAME}` in every string value with environment variable NAME. */
function expandEnv(value: unknown, path: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new FieldError(path, `set: it reads environment variable ${name}, which is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => expandEnv(item, `${path}.${i}`, env));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = expandEnv(item, path ? `${path}.${key}` : key, env);
    }
    return out;
  }
  return value;
}

function readConfig(document: unknown, file: string, local: boolean): Config {
  const root = ObjectReader.of(document, '');
  const junoevent = root.child('junoevent');
  if (junoevent === undefined) throw new FieldError('junoevent', 'a [junoevent] table');
  junoevent.onlyKeys(['table', 'maxBodyBytes', 'api', 'rocketmq', 'sources']);

  const table = junoevent.optionalString('table', { nonEmpty: true, max: 255 }) ?? 'appevent';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new FieldError(junoevent.at('table'), 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)', table);
  }
  const maxBodyBytes =
    junoevent.optionalInteger('maxBodyBytes', { min: 1024, max: 6 * 1024 * 1024 }) ?? DEFAULT_MAX_BODY_BYTES;

  const api = junoevent.child('api');
  api?.onlyKeys(['token']);
  const token = api?.optionalString('token', { nonEmpty: true });
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new FieldError(api?.at('token') ?? 'junoevent.api.token', `at least ${MIN_TOKEN_LENGTH} characters`);
  }

  const sources: Partial<Record<Source, SourceConfig>> = {};
  const sourcesTable = junoevent.child('sources');
  sourcesTable?.onlyKeys(SOURCES);
  for (const source of SOURCES) {
    const section = sourcesTable?.child(source);
    if (section) sources[source] = readSource(source, section, local);
  }

  return {
    file,
    table,
    maxBodyBytes,
    api: { token },
    rocketmq: readRocketMq(junoevent.child('rocketmq')),
    sources,
  };
}

function readSource(source: Source, section: ObjectReader, local: boolean): SourceConfig {
  section.onlyKeys(['secret', 'allowUnsigned']);
  const secret = section.optionalString('secret', { nonEmpty: true });
  const allowUnsigned = section.optionalBoolean('allowUnsigned') ?? false;
  if (allowUnsigned && !local) {
    throw new FieldError(
      section.at('allowUnsigned'),
      'false in a deployed function: unsigned webhooks are only for a local config',
    );
  }
  if (secret === undefined && !allowUnsigned) {
    throw new FieldError(section.at('secret'), 'set (or allowUnsigned = true in a local config)');
  }
  if (secret !== undefined && (source === 'confgo' || source === 'devops')) {
    checkStandardWebhooksSecret(secret, section.at('secret'));
  }
  return { secret, allowUnsigned };
}

const STANDARD_SECRET_FORM = 'a Standard Webhooks secret: "whsec_" and base64 of 24 to 64 random bytes';

function checkStandardWebhooksSecret(secret: string, path: string): void {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) throw new FieldError(path, STANDARD_SECRET_FORM);
}

function readRocketMq(section: ObjectReader | undefined): RocketMqConfig {
  section?.onlyKeys(['enable', 'addr', 'topic', 'group', 'retry', 'dialTimeout']);
  const enable = section?.optionalBoolean('enable') ?? false;
  const addr = section?.optionalStringArray('addr', { nonEmpty: true }) ?? [];
  const topic = section?.optionalString('topic', { max: 127 }) ?? '';
  const group = section?.optionalString('group', { max: 255 }) ?? '';
  const retry = section?.optionalInteger('retry', { min: 0, max: 10 }) ?? 3;
  const dialTimeoutText = section?.optionalString('dialTimeout') ?? '3s';
  const dialTimeoutMs = parseDuration(dialTimeoutText);
  const at = (key: string) => section?.at(key) ?? `junoevent.rocketmq.${key}`;
  if (dialTimeoutMs === undefined) {
    throw new FieldError(at('dialTimeout'), 'a duration such as "500ms", "3s" or "1m"', dialTimeoutText);
  }
  if (enable) {
    throw new FieldError(
      at('enable'),
      'false: forwarding to RocketMQ is not available in this version; events are stored in the table',
    );
  }
  return { enable, addr, topic, group, retry, dialTimeoutMs };
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go-style duration ("250ms", "3s", "1m30s") into milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    const [, amount, unit] = match;
    total += Number(amount) * (DURATION_UNITS_MS[unit ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** The source's section, or a ConfigError naming what to add: used by each source's function. */
export function requireSource(config: Config, source: Source): SourceConfig {
  const found = config.sources[source];
  if (found === undefined) {
    throw new ConfigError(
      `junoevent config ${config.file}: [junoevent.sources.${source}] must be present with a secret`,
    );
  }
  return found;
}

/** The read API's bearer token, or a ConfigError. */
export function requireApiToken(config: Config): string {
  if (config.api.token === undefined) {
    throw new ConfigError(
      `junoevent config ${config.file}: junoevent.api.token must be set (at least ${MIN_TOKEN_LENGTH} characters)`,
    );
  }
  return config.api.token;
}
