// Settings shared by the local scripts (start, send, redrive): ports, the data folder and the local
// secrets, generated once per checkout and kept in the git-ignored .data/ folder.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { applySecret } from '../../shared/config/config';
import type { SecretTarget } from '../../shared/config/secret-keys';
import type { Config } from '../../shared/config/types';
import { isPlainObject } from '../../shared/json';

export const ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_DATA_DIR = resolve(ROOT, '.data');
export const DEFAULT_PORT = 3000;

/** What npm start generates; `grafanaToken` is the bearer token a config may read as ${JUNOEVENT_GRAFANA_TOKEN}. */
export interface LocalSecrets {
  apiToken: string;
  secrets: { confgo: string; devops: string; grafana: string; git: string; grafanaToken: string; replay: string };
}

export interface LocalSettings extends LocalSecrets {
  port: number;
  lambdaPort: number;
  dynamoPort: number;
  table: string;
  /** The retention junoevent.toml reads (JUNOEVENT_RETENTION, as serverless.yml's `retention` param sets it); "0": forever. */
  retention: string;
  dataDir: string;
  secretsFile: string;
}

/** The Node versions the toolchain supports (package.json "engines": ^20.19 || >=22.12). */
export function supportedNode(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
}

function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a TCP port, got ${value}`);
  return port;
}

/** The data folder: $JUNOEVENT_DATA_DIR (relative to the repository root) or .data/. */
export function dataDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.JUNOEVENT_DATA_DIR ? resolve(ROOT, env.JUNOEVENT_DATA_DIR) : DEFAULT_DATA_DIR;
}

const GENERATORS: Record<keyof LocalSecrets['secrets'], () => string> = {
  confgo: standardSecret,
  devops: standardSecret,
  grafana: randomToken,
  git: randomToken,
  grafanaToken: randomToken,
  replay: resumeKey,
};

export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const dataDir = dataDirFrom(env);
  const secretsFile = resolve(dataDir, 'local-secrets.json');
  const port = portFrom(env.PORT, DEFAULT_PORT, 'PORT');
  return {
    port,
    lambdaPort: portFrom(env.LAMBDA_PORT, port + 2, 'LAMBDA_PORT'),
    dynamoPort: portFrom(env.DYNAMODB_PORT, port + 1000, 'DYNAMODB_PORT'),
    table: env.JUNOEVENT_TABLE ?? 'appevent',
    retention: env.JUNOEVENT_RETENTION ?? '0',
    dataDir,
    secretsFile,
    ...readOrCreateSecrets(secretsFile),
  };
}

/**
 * The secrets kept in `file`; the first run generates them, and a secret a newer version added is
 * generated next to the ones already there (which never change).
 */
function readOrCreateSecrets(file: string): LocalSecrets {
  let stored: unknown;
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} is not valid JSON: fix it, or delete it to generate new local secrets`, {
        cause: error,
      });
    }
  }
  const apiToken = isPlainObject(stored) && typeof stored.apiToken === 'string' ? stored.apiToken : undefined;
  const kept = isPlainObject(stored) && isPlainObject(stored.secrets) ? stored.secrets : {};
  let changed = apiToken === undefined;
  const secrets = Object.fromEntries(
    Object.entries(GENERATORS).map(([name, generate]) => {
      const value = kept[name];
      if (typeof value === 'string') return [name, value];
      changed = true;
      return [name, generate()];
    }),
  ) as LocalSecrets['secrets'];
  const result: LocalSecrets = { apiToken: apiToken ?? randomToken(), secrets };
  if (changed) {
    mkdirSync(resolve(file, '..'), { recursive: true, mode: 0o700 });
    writePrivateFile(file, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

/**
 * A folder of the data folder that only its owner may read (0700), made so even when it was there
 * before. Folders above it that it creates are 0700 too; one that was already there is left as is.
 */
export function privateFolder(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

/** Writes a file only its owner may read (0600), also when it was there before with a wider mode. */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Each function's secret, in the form the deployed functions read theirs from Secrets Manager. */
function functionSecrets(settings: LocalSettings): Record<SecretTarget | 'events' | 'replay', Record<string, unknown>> {
  const { secrets } = settings;
  return {
    confgo: { secret: secrets.confgo },
    devops: { secret: secrets.devops },
    grafana: { secret: secrets.grafana, token: secrets.grafanaToken },
    git: { secret: secrets.git },
    api: {},
    events: { token: settings.apiToken },
    replay: { resumeKey: secrets.replay },
  };
}

/**
 * Writes each function's secret to <data>/secrets/<function>.json and returns where they are: the
 * `secretSource` param, so each function gets JUNOEVENT_SECRETS=file:<data>/secrets/<function> and
 * reads its credentials through the same code as a deployed one.
 */
export function writeFunctionSecrets(settings: LocalSettings): string {
  const dir = privateFolder(resolve(settings.dataDir, 'secrets'));
  for (const [name, secret] of Object.entries(functionSecrets(settings))) {
    if (name === 'api') continue;
    writePrivateFile(resolve(dir, `${name}.json`), `${JSON.stringify(secret, null, 2)}\n`);
  }
  return `file:${dir}`;
}

/**
 * The environment junoevent.toml reads: what serverless.yml gives the deployed functions. With it
 * go the local credentials, under the names a config that reads its credentials from the environment
 * uses (examples/junoevent.rocketmq.toml): such a config then holds the values npm start applies.
 */
export function functionEnvironment(settings: LocalSettings): Record<string, string> {
  return {
    JUNOEVENT_TABLE: settings.table,
    JUNOEVENT_RETENTION: settings.retention,
    JUNOEVENT_SECRETS: `file:${resolve(settings.dataDir, 'secrets')}/events`,
    JUNOEVENT_API_TOKEN: settings.apiToken,
    JUNOEVENT_CONFGO_SECRET: settings.secrets.confgo,
    JUNOEVENT_DEVOPS_SECRET: settings.secrets.devops,
    JUNOEVENT_GRAFANA_SECRET: settings.secrets.grafana,
    JUNOEVENT_GRAFANA_TOKEN: settings.secrets.grafanaToken,
    JUNOEVENT_GIT_SECRET: settings.secrets.git,
  };
}

/**
 * The credentials the config file sets (directly or through its own variables) that the local
 * secrets replace under npm start, by key: what npm start says once when it starts.
 */
export function replacedCredentials(config: Config, local: Config): string[] {
  const pairs: [string, string | undefined, string | undefined][] = [
    ['junoevent.api.token', config.api.token, local.api.token],
  ];
  for (const source of ['confgo', 'devops', 'grafana', 'git'] as const) {
    pairs.push([`junoevent.sources.${source}.secret`, config.sources[source]?.secret, local.sources[source]?.secret]);
  }
  pairs.push(['junoevent.sources.grafana.token', config.sources.grafana?.token, local.sources.grafana?.token]);
  return pairs.filter(([, file, applied]) => file !== undefined && file !== applied).map(([key]) => key);
}

/** The config with every function's local secret applied: what each function sees of its own section. */
export function withLocalSecrets(config: Config, settings: LocalSettings): Config {
  const secrets = functionSecrets(settings);
  let applied = config;
  for (const source of ['confgo', 'devops', 'grafana', 'git'] as const) {
    if (applied.sources[source] !== undefined)
      applied = applySecret(applied, source, secrets[source], `local ${source} secret`);
  }
  return applySecret(applied, 'api', secrets.events, 'local events secret');
}

function standardSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The key that signs replay resume tokens: 32 random bytes. */
function resumeKey(): string {
  return randomBytes(32).toString('base64url');
}

function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

export { portFrom };
