// junoevent.toml: loaded once per container, validated, frozen. A bad or missing value throws one
// ConfigError naming the file, the key and the expected form; nothing runs half-configured.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError } from '../errors';
import { SOURCES, type Source } from '../event/catalog';
import { FieldError, isPlainObject, ObjectReader } from '../event/fields';

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
  /** confgo, devops: the Standard Webhooks secret. grafana: the HMAC secret. git: the GitLab token and GitHub HMAC secret. */
  readonly secret: string | undefined;
  readonly allowUnsigned: boolean;
}

/** Alert label names read, in order, for each identity field. */
export interface LabelMapping {
  readonly app_name: readonly string[];
  readonly env: readonly string[];
  readonly zone_code: readonly string[];
  readonly aid: readonly string[];
  readonly host_name: readonly string[];
}

export interface GrafanaSourceConfig extends SourceConfig {
  /** Lower-case header names. */
  readonly signatureHeader: string;
  readonly timestampHeader: string | undefined;
  /** Accepted as `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
  /** Accepted as HTTP Basic credentials. */
  readonly basic: { readonly username: string; readonly password: string } | undefined;
  readonly labels: LabelMapping;
}

/** What a repository maps to; fields left out fall back to the repository's own name, 0 and "". */
export interface ProjectIdentity {
  readonly app_name: string | undefined;
  readonly aid: number | undefined;
  readonly env: string | undefined;
  readonly zone_code: string | undefined;
}

export interface GitSourceConfig extends SourceConfig {
  /** GitLab's Standard Webhooks signing token (whsec_…), checked when a delivery is signed. */
  readonly signingSecret: string | undefined;
  /** Keyed by GitLab project id, GitLab path_with_namespace or GitHub full_name. */
  readonly projects: ReadonlyMap<string, ProjectIdentity>;
}

export interface SourceConfigs {
  readonly confgo?: SourceConfig;
  readonly devops?: SourceConfig;
  readonly grafana?: GrafanaSourceConfig;
  readonly git?: GitSourceConfig;
}

export interface Config {
  /** The file this was read from, for messages. */
  readonly file: string;
  readonly table: string;
  readonly maxBodyBytes: number;
  /** Largest metadata kept for one event, in bytes of JSON. */
  readonly metadataBudget: number;
  /** How long a delivery's identity is remembered, in seconds. */
  readonly redeliveryWindowSeconds: number;
  readonly api: { readonly token: string | undefined };
  readonly rocketmq: RocketMqConfig;
  readonly sources: SourceConfigs;
}

export const DEFAULT_CONFIG_FILE = 'junoevent.toml';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_METADATA_BUDGET = 64 * 1024;
export const DEFAULT_REDELIVERY_WINDOW_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LABELS: LabelMapping = {
  app_name: ['app_name', 'app', 'appname', 'job', 'service'],
  env: ['env', 'environment'],
  zone_code: ['zone_code', 'zone'],
  aid: ['aid'],
  host_name: ['instance', 'host', 'hostname'],
};
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

/** The function's timeout: serverless.yml sets JUNOEVENT_FUNCTION_TIMEOUT (seconds) for each function. */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 15;

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
    return Object.freeze(readConfig(expandEnv(document, '', env), file, isLocalRuntime(env), functionTimeoutMs(env)));
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

function readConfig(document: unknown, file: string, local: boolean, functionTimeoutMs: number): Config {
  const root = ObjectReader.of(document, '');
  const junoevent = root.child('junoevent');
  if (junoevent === undefined) throw new FieldError('junoevent', 'a [junoevent] table');
  junoevent.onlyKeys(['table', 'maxBodyBytes', 'metadataBudget', 'redeliveryWindow', 'api', 'rocketmq', 'sources']);

  const table = junoevent.optionalString('table', { nonEmpty: true, max: 255 }) ?? 'appevent';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new FieldError(junoevent.at('table'), 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)', table);
  }
  const maxBodyBytes =
    junoevent.optionalInteger('maxBodyBytes', { min: 1024, max: 6 * 1024 * 1024 }) ?? DEFAULT_MAX_BODY_BYTES;
  const metadataBudget =
    junoevent.optionalInteger('metadataBudget', { min: 4096, max: 256 * 1024 }) ?? DEFAULT_METADATA_BUDGET;
  const windowText = junoevent.optionalString('redeliveryWindow');
  const windowMs = windowText === undefined ? DEFAULT_REDELIVERY_WINDOW_SECONDS * 1000 : parseDuration(windowText);
  if (windowMs === undefined || windowMs < 3_600_000) {
    throw new FieldError(junoevent.at('redeliveryWindow'), 'a duration of at least "1h", such as "168h"', windowText);
  }

  const api = junoevent.child('api');
  api?.onlyKeys(['token']);
  const token = api?.optionalString('token', { nonEmpty: true });
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new FieldError(api?.at('token') ?? 'junoevent.api.token', `at least ${MIN_TOKEN_LENGTH} characters`);
  }

  const sourcesTable = junoevent.child('sources');
  sourcesTable?.onlyKeys(SOURCES);
  const section = (source: Source) => sourcesTable?.child(source);
  const confgo = section('confgo');
  const devops = section('devops');
  const grafana = section('grafana');
  const git = section('git');
  const sources: SourceConfigs = {
    ...(confgo ? { confgo: readEnvelopeSource(confgo, local) } : {}),
    ...(devops ? { devops: readEnvelopeSource(devops, local) } : {}),
    ...(grafana ? { grafana: readGrafanaSource(grafana, local) } : {}),
    ...(git ? { git: readGitSource(git, local) } : {}),
  };

  return {
    file,
    table,
    maxBodyBytes,
    metadataBudget,
    redeliveryWindowSeconds: Math.round(windowMs / 1000),
    api: { token },
    rocketmq: readRocketMq(junoevent.child('rocketmq'), functionTimeoutMs),
    sources,
  };
}

/** allowUnsigned, and the rule that something must authenticate requests. */
function readUnsigned(section: ObjectReader, local: boolean, hasCredentials: boolean, what: string): boolean {
  const allowUnsigned = section.optionalBoolean('allowUnsigned') ?? false;
  if (allowUnsigned && !local) {
    throw new FieldError(
      section.at('allowUnsigned'),
      'false in a deployed function: unsigned webhooks are only for a local config',
    );
  }
  if (!hasCredentials && !allowUnsigned) {
    throw new FieldError(section.at('secret'), `set (${what}), or allowUnsigned = true in a local config`);
  }
  return allowUnsigned;
}

function readEnvelopeSource(section: ObjectReader, local: boolean): SourceConfig {
  section.onlyKeys(['secret', 'allowUnsigned']);
  const secret = section.optionalString('secret', { nonEmpty: true });
  if (secret !== undefined) checkStandardWebhooksSecret(secret, section.at('secret'));
  return { secret, allowUnsigned: readUnsigned(section, local, secret !== undefined, 'the Standard Webhooks secret') };
}

function readGrafanaSource(section: ObjectReader, local: boolean): GrafanaSourceConfig {
  section.onlyKeys([
    'secret',
    'signatureHeader',
    'timestampHeader',
    'token',
    'username',
    'password',
    'labels',
    'allowUnsigned',
  ]);
  const secret = section.optionalString('secret', { nonEmpty: true });
  const token = section.optionalString('token', { nonEmpty: true });
  const username = section.optionalString('username', { nonEmpty: true });
  const password = section.optionalString('password', { nonEmpty: true });
  if ((username === undefined) !== (password === undefined)) {
    throw new FieldError(
      section.at(username === undefined ? 'username' : 'password'),
      'set together with the other one',
    );
  }
  const basic = username !== undefined && password !== undefined ? { username, password } : undefined;
  const headerName = (key: string) => {
    const value = section.optionalString(key, { nonEmpty: true, max: 128 });
    if (value !== undefined && !/^[A-Za-z0-9-]+$/.test(value))
      throw new FieldError(section.at(key), 'an HTTP header name', value);
    return value?.toLowerCase();
  };
  const labels = section.child('labels');
  labels?.onlyKeys(Object.keys(DEFAULT_LABELS));
  const labelList = (field: keyof LabelMapping) =>
    labels?.optionalStringArray(field, { nonEmpty: true, max: 128 }) ?? DEFAULT_LABELS[field];
  return {
    secret,
    token,
    basic,
    signatureHeader: headerName('signatureHeader') ?? 'x-grafana-alerting-signature',
    timestampHeader: headerName('timestampHeader'),
    labels: {
      app_name: labelList('app_name'),
      env: labelList('env'),
      zone_code: labelList('zone_code'),
      aid: labelList('aid'),
      host_name: labelList('host_name'),
    },
    allowUnsigned: readUnsigned(
      section,
      local,
      secret !== undefined || token !== undefined || basic !== undefined,
      'an HMAC secret, a token, or username and password',
    ),
  };
}

function readGitSource(section: ObjectReader, local: boolean): GitSourceConfig {
  section.onlyKeys(['secret', 'signingSecret', 'projects', 'allowUnsigned']);
  const secret = section.optionalString('secret', { nonEmpty: true });
  const signingSecret = section.optionalString('signingSecret', { nonEmpty: true });
  if (signingSecret !== undefined) checkStandardWebhooksSecret(signingSecret, section.at('signingSecret'));
  const projects = new Map<string, ProjectIdentity>();
  const table = section.child('projects');
  for (const key of table?.keys() ?? []) {
    const entry = table?.child(key);
    if (entry === undefined) continue;
    entry.onlyKeys(['app_name', 'aid', 'env', 'zone_code']);
    projects.set(key, {
      app_name: entry.optionalString('app_name', { nonEmpty: true, max: 191 }),
      aid: entry.optionalInteger('aid'),
      env: entry.optionalString('env', { max: 191 }),
      zone_code: entry.optionalString('zone_code', { max: 191 }),
    });
  }
  return {
    secret,
    signingSecret,
    projects,
    allowUnsigned: readUnsigned(
      section,
      local,
      secret !== undefined || signingSecret !== undefined,
      'the webhook secret',
    ),
  };
}

const STANDARD_SECRET_FORM = 'a Standard Webhooks secret: "whsec_" and base64 of 24 to 64 random bytes';

function checkStandardWebhooksSecret(secret: string, path: string): void {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) throw new FieldError(path, STANDARD_SECRET_FORM);
}

function readRocketMq(section: ObjectReader | undefined, functionTimeoutMs: number): RocketMqConfig {
  section?.onlyKeys(['enable', 'addr', 'topic', 'group', 'retry', 'dialTimeout']);
  const at = (key: string) => section?.at(key) ?? `junoevent.rocketmq.${key}`;
  const enable = section?.optionalBoolean('enable') ?? false;
  const addr = section?.optionalStringArray('addr', { nonEmpty: true, max: 255 }) ?? [];
  const topic = section?.optionalString('topic', { max: 127 }) ?? '';
  const group = section?.optionalString('group', { max: 255 }) ?? '';
  const retry = section?.optionalInteger('retry', { min: 0, max: 10 }) ?? 3;
  const dialTimeoutText = section?.optionalString('dialTimeout') ?? '3s';
  const dialTimeoutMs = parseDuration(dialTimeoutText);
  if (dialTimeoutMs === undefined) {
    throw new FieldError(at('dialTimeout'), 'a duration such as "500ms", "3s" or "1m"', dialTimeoutText);
  }
  if (enable) {
    if (addr.length === 0)
      throw new FieldError(at('addr'), 'one or more RocketMQ 5 Proxy endpoints such as ["127.0.0.1:8081"]');
    for (const [index, endpoint] of addr.entries()) {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(endpoint);
      if (!match)
        throw new FieldError(
          `${at('addr')}.${index}`,
          'host:port of a RocketMQ 5 Proxy, such as "127.0.0.1:8081"',
          endpoint,
        );
      if (match[2] === '9876') {
        throw new FieldError(
          `${at('addr')}.${index}`,
          `a RocketMQ 5 Proxy gRPC endpoint: ${endpoint} is a NameServer port, which the RocketMQ 5 client cannot use; give the Proxy's gRPC port instead, such as "${match[1]}:8081"`,
        );
      }
    }
    if (!/^[A-Za-z0-9%_|-]{1,127}$/.test(topic)) {
      throw new FieldError(at('topic'), 'a RocketMQ topic name (letters, digits, %, _, |, -)', topic);
    }
    if (dialTimeoutMs < 1000) {
      throw new FieldError(
        at('dialTimeout'),
        'at least "1s" (the RocketMQ client refuses shorter request timeouts)',
        dialTimeoutText,
      );
    }
    const worstMs = (retry + 1) * dialTimeoutMs;
    if (worstMs >= functionTimeoutMs) {
      throw new FieldError(
        at('retry'),
        `small enough that every attempt fits the function: (retry ${retry} + 1) attempts × dialTimeout ${dialTimeoutText} = ${worstMs / 1000} s, but the function times out after ${functionTimeoutMs / 1000} s; lower retry or dialTimeout, or raise the timeout`,
      );
    }
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
export function requireSource<S extends Source>(config: Config, source: S): NonNullable<SourceConfigs[S]> {
  const found = config.sources[source];
  if (found === undefined) {
    throw new ConfigError(
      `junoevent config ${config.file}: [junoevent.sources.${source}] must be present (see the README's configuration reference)`,
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
