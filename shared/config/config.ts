// junoevent.toml: loaded once per container, validated, frozen. A bad or missing value throws one
// ConfigError naming the file, the key and the expected form; nothing runs half-configured.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError, FieldError } from '../errors';
import { SOURCES, type Source } from '../event/catalog';
import { isPlainObject, ObjectReader } from '../json';
import { parseDuration } from './duration';
import { readRetention } from './retention';
import { readRocketMq } from './rocketmq';
import { onlyCredentialKeys, SECRET_KEYS, type SecretTarget } from './secret-keys';
import { readEnvelopeSource, readGitSource, readGrafanaSource } from './sources';
import {
  type Config,
  type ConfigContext,
  DEFAULT_CONFIG_FILE,
  DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  DEFAULT_LARGE_BODY_BYTES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_METADATA_BUDGET,
  DEFAULT_REDELIVERY_WINDOW_SECONDS,
  LAMBDA_PAYLOAD_BYTES,
  MAX_BODY_BYTES_LIMIT,
  MIN_TOKEN_LENGTH,
  type SourceConfigs,
} from './types';

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

function functionTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.JUNOEVENT_FUNCTION_TIMEOUT ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 900) {
    throw new ConfigError(
      `JUNOEVENT_FUNCTION_TIMEOUT must be the function timeout in seconds, got ${env.JUNOEVENT_FUNCTION_TIMEOUT}`,
    );
  }
  return seconds * 1000;
}

/**
 * True where unsigned webhooks may be allowed: under the local emulator, or outside Lambda
 * (tests and scripts). A deployed function never accepts `allowUnsigned = true`.
 */
function isLocalRuntime(env: NodeJS.ProcessEnv): boolean {
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
  const context = {
    document: withFieldErrorsAsConfigErrors(file, () => expandEnv(document, '', env)),
    local: isLocalRuntime(env),
    functionTimeoutMs: functionTimeoutMs(env),
    credentialsAtRunTime: Boolean(env.JUNOEVENT_SECRETS),
  };
  return withFieldErrorsAsConfigErrors(file, () => Object.freeze(readConfig(file, context)));
}

/**
 * The config with a run-time secret's keys (secret, token, …, previous) added to the target's
 * section, checked exactly as if they had been in the file. Throws ConfigError naming the secret,
 * and the key (never its value) when the secret sets anything but credentials.
 */
export function applySecret(
  config: Config,
  target: SecretTarget,
  secret: Record<string, unknown>,
  name: string,
): Config {
  onlyCredentialKeys(secret, SECRET_KEYS[target], name);
  const root = isPlainObject(config.context.document) ? config.context.document : {};
  const junoevent = isPlainObject(root.junoevent) ? root.junoevent : {};
  const sources = isPlainObject(junoevent.sources) ? junoevent.sources : {};
  const merge = (section: unknown) => ({ ...(isPlainObject(section) ? section : {}), ...secret });
  const document = {
    ...root,
    junoevent:
      target === 'api'
        ? { ...junoevent, api: merge(junoevent.api) }
        : { ...junoevent, sources: { ...sources, [target]: merge(sources[target]) } },
  };
  return withFieldErrorsAsConfigErrors(`${config.file} with ${name}`, () =>
    Object.freeze(readConfig(config.file, { ...config.context, document, applied: target })),
  );
}

function withFieldErrorsAsConfigErrors<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FieldError) throw new ConfigError(`junoevent config ${where}: ${error.message}`);
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

function readConfig(file: string, context: ConfigContext): Config {
  const { local } = context;
  const root = ObjectReader.of(context.document, '');
  const junoevent = root.child('junoevent');
  if (junoevent === undefined) throw new FieldError('junoevent', 'a [junoevent] table');
  junoevent.onlyKeys([
    'table',
    'maxBodyBytes',
    'metadataBudget',
    'redeliveryWindow',
    'retention',
    'api',
    'rocketmq',
    'sources',
  ]);

  const table = junoevent.optionalString('table', { nonEmpty: true, max: 255 }) ?? 'appevent';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new FieldError(junoevent.at('table'), 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)', table);
  }
  const configuredMaxBody = readMaxBodyBytes(junoevent);
  const maxBodyBytes = configuredMaxBody ?? DEFAULT_MAX_BODY_BYTES;
  /** A source's own maxBodyBytes, else the [junoevent] one, else the source's default. */
  const sectionContext = (section: ObjectReader, fallback: number) => ({
    local,
    maxBodyBytes: readMaxBodyBytes(section) ?? configuredMaxBody ?? fallback,
  });
  const metadataBudget =
    junoevent.optionalInteger('metadataBudget', { min: 4096, max: 256 * 1024 }) ?? DEFAULT_METADATA_BUDGET;
  const windowText = junoevent.optionalString('redeliveryWindow');
  const windowMs = windowText === undefined ? DEFAULT_REDELIVERY_WINDOW_SECONDS * 1000 : parseDuration(windowText);
  if (windowMs === undefined || windowMs < 3_600_000) {
    throw new FieldError(junoevent.at('redeliveryWindow'), 'a duration of at least "1h", such as "168h"', windowText);
  }

  const api = junoevent.child('api');
  api?.onlyKeys(['token', 'previous']);
  const apiToken = (reader: ObjectReader | undefined) => {
    const token = reader?.optionalString('token', { nonEmpty: true });
    if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
      throw new FieldError(reader?.at('token') ?? 'junoevent.api.token', `at least ${MIN_TOKEN_LENGTH} characters`);
    }
    return token;
  };
  const token = apiToken(api);
  const previousApi = api?.child('previous');
  previousApi?.onlyKeys(['token']);
  const previousToken = apiToken(previousApi);

  const sourcesTable = junoevent.child('sources');
  sourcesTable?.onlyKeys(SOURCES);
  const section = (source: Source) => sourcesTable?.child(source);
  const confgo = section('confgo');
  const devops = section('devops');
  const grafana = section('grafana');
  const git = section('git');
  const sources: SourceConfigs = {
    ...(confgo ? { confgo: readEnvelopeSource(confgo, sectionContext(confgo, DEFAULT_MAX_BODY_BYTES)) } : {}),
    ...(devops ? { devops: readEnvelopeSource(devops, sectionContext(devops, DEFAULT_MAX_BODY_BYTES)) } : {}),
    ...(grafana ? { grafana: readGrafanaSource(grafana, sectionContext(grafana, DEFAULT_LARGE_BODY_BYTES)) } : {}),
    ...(git ? { git: readGitSource(git, sectionContext(git, DEFAULT_LARGE_BODY_BYTES)) } : {}),
  };

  return {
    file,
    context,
    table,
    maxBodyBytes,
    metadataBudget,
    redeliveryWindowSeconds: Math.round(windowMs / 1000),
    retentionSeconds: readRetention(junoevent, Math.round(windowMs / 1000)),
    api: { token, previousToken },
    rocketmq: readRocketMq(junoevent.child('rocketmq'), context.functionTimeoutMs),
    sources,
  };
}

/** A section's maxBodyBytes: at least 1 KiB, and no more than a deployed function can be given. */
function readMaxBodyBytes(section: ObjectReader): number | undefined {
  const value = section.raw('maxBodyBytes');
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > MAX_BODY_BYTES_LIMIT) {
    throw new FieldError(
      section.at('maxBodyBytes'),
      `at most ${MAX_BODY_BYTES_LIMIT} bytes, the largest body whose API Gateway event fits Lambda's ${LAMBDA_PAYLOAD_BYTES}-byte invocation payload with the body's JSON escaping (see docs/senders.md, Body limits)`,
      value,
    );
  }
  return section.optionalInteger('maxBodyBytes', { min: 1024, max: MAX_BODY_BYTES_LIMIT });
}

const CREDENTIALS: Readonly<Record<Source, string>> = {
  confgo: 'the Standard Webhooks secret',
  devops: 'the Standard Webhooks secret',
  grafana: 'an HMAC secret, a token, or username and password',
  git: 'the webhook secret',
};

/**
 * The source's section, or a ConfigError naming what to add: used by each source's function. The
 * section must authenticate requests: credentials, or allowUnsigned in a local config, or (before
 * the function's secret is applied) credentials to come from that secret.
 */
export function requireSource<S extends Source>(config: Config, source: S): NonNullable<SourceConfigs[S]> {
  const found = config.sources[source];
  if (found === undefined) {
    throw new ConfigError(
      `junoevent config ${config.file}: [junoevent.sources.${source}] must be present (see docs/configuration.md)`,
    );
  }
  const credentials = [
    found.secret,
    'token' in found ? found.token : undefined,
    'basic' in found ? found.basic : undefined,
    'signingSecret' in found ? found.signingSecret : undefined,
  ];
  const pending = config.context.credentialsAtRunTime && config.context.applied !== source;
  if (!found.allowUnsigned && !pending && credentials.every((credential) => credential === undefined)) {
    throw new ConfigError(
      `junoevent config ${config.file}: junoevent.sources.${source}.secret must be set (${CREDENTIALS[source]}), or allowUnsigned = true in a local config`,
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
