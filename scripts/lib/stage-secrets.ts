// Each function's secret for a stage: fresh values written one file per function (readable by the
// owner only), and the commands that create them in Secrets Manager. Never replaces without force.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const standardSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const token = () => randomBytes(24).toString('base64url');

/** Each function's secret: the keys of its junoevent.toml section it takes at run time. */
export function freshSecrets(): Record<string, Record<string, string>> {
  return {
    confgo: { secret: standardSecret() },
    devops: { secret: standardSecret() },
    grafana: { secret: token(), token: token() },
    git: { secret: token() },
    events: { token: token() },
    replay: { resumeKey: randomBytes(32).toString('base64url') },
  };
}

/** A stage is part of a folder and of every secret's name: a plain name only, as the framework's. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `value` as one word for a POSIX shell: as is when it holds only safe characters, else single-quoted. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export interface StageSecretsOptions {
  stage: string;
  region?: string | undefined;
  /** The folder to write to; `.secrets/<stage>` under `cwd` by default. */
  out?: string | undefined;
  /** Replace secrets already in the folder. */
  force?: boolean;
  cwd?: string;
}

/**
 * Writes a stage's secrets (a 0700 folder, 0600 files) and returns the commands that create them.
 * Throws, writing nothing, for a stage or region that is not a plain name, or when a secret is
 * already there and `force` is not set.
 */
export function writeStageSecrets(options: StageSecretsOptions): { out: string; commands: string[] } {
  const { stage, region, force = false } = options;
  if (!PLAIN_NAME.test(stage)) {
    throw new Error('--stage must be a plain name: letters, digits and -, at most 64 (such as prod)');
  }
  if (region !== undefined && !REGION.test(region)) {
    throw new Error('--region must be an AWS region name (such as eu-west-1)');
  }
  const out = resolve(options.cwd ?? process.cwd(), options.out ?? `.secrets/${stage}`);
  const secrets = Object.entries(freshSecrets());
  const files = secrets.map(([name]) => resolve(out, `${name}.json`));
  const present = files.filter((file) => existsSync(file));
  if (present.length > 0 && !force) {
    throw new Error(
      `secrets are already in ${out} (${present.length} of ${files.length} files): they may be the ones deployed. ` +
        'Give --force to replace them with new values.',
    );
  }
  mkdirSync(out, { recursive: true, mode: 0o700 });
  chmodSync(out, 0o700);
  const commands = secrets.map(([name, secret]) => {
    const file = resolve(out, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(secret, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    const words = [
      'aws',
      'secretsmanager',
      'create-secret',
      ...(region === undefined ? [] : ['--region', region]),
      '--name',
      `junoevent/${stage}/${name}`,
      '--secret-string',
      `file://${file}`,
    ];
    return words.map(shellQuote).join(' ');
  });
  return { out, commands };
}
