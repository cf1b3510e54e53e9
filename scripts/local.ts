// Settings shared by the local scripts (start, send): ports, the data folder and the local secrets,
// generated once per checkout and kept in the git-ignored .data/ folder.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPlainObject } from '../shared/event/fields';

export const ROOT = resolve(__dirname, '..');

export interface LocalSettings {
  port: number;
  dynamoPort: number;
  table: string;
  dataDir: string;
  apiToken: string;
  secrets: { confgo: string; devops: string; grafana: string; git: string };
}

function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a TCP port, got ${value}`);
  return port;
}

export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const dataDir = resolve(ROOT, env.JUNOEVENT_DATA_DIR ?? '.data');
  const file = resolve(dataDir, 'local-secrets.json');
  let stored: unknown;
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8'));
  if (!isLocalSecrets(stored)) {
    stored = {
      apiToken: randomBytes(24).toString('base64url'),
      secrets: {
        confgo: standardSecret(),
        devops: standardSecret(),
        grafana: randomBytes(24).toString('base64url'),
        git: randomBytes(24).toString('base64url'),
      },
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  if (!isLocalSecrets(stored)) throw new Error(`${file} could not be written`);
  const port = portFrom(env.PORT, 3000, 'PORT');
  return {
    port,
    dynamoPort: portFrom(env.DYNAMODB_PORT, port + 1000, 'DYNAMODB_PORT'),
    table: env.JUNOEVENT_TABLE ?? 'appevent',
    dataDir,
    ...stored,
  };
}

/** The environment junoevent.toml reads: what serverless.yml gives the deployed functions. */
export function functionEnvironment(settings: LocalSettings): Record<string, string> {
  return {
    JUNOEVENT_TABLE: settings.table,
    JUNOEVENT_API_TOKEN: settings.apiToken,
    JUNOEVENT_CONFGO_SECRET: settings.secrets.confgo,
    JUNOEVENT_DEVOPS_SECRET: settings.secrets.devops,
    JUNOEVENT_GRAFANA_SECRET: settings.secrets.grafana,
    JUNOEVENT_GIT_SECRET: settings.secrets.git,
  };
}

function standardSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function isLocalSecrets(value: unknown): value is Pick<LocalSettings, 'apiToken' | 'secrets'> {
  if (!isPlainObject(value) || typeof value.apiToken !== 'string' || !isPlainObject(value.secrets)) return false;
  const { secrets } = value;
  return ['confgo', 'devops', 'grafana', 'git'].every((source) => typeof secrets[source] === 'string');
}

export { portFrom };
