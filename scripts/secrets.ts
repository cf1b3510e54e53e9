// npm run secrets -- [--stage prod] [--region us-east-1] [--out <folder>]: writes each function's
// secret with fresh values (one JSON file per function, readable by the owner only) and prints the
// commands that create them in Secrets Manager. Nothing is sent anywhere by this script.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

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

function main(): void {
  const { values } = parseArgs({
    options: { stage: { type: 'string', default: 'prod' }, region: { type: 'string' }, out: { type: 'string' } },
  });
  const stage = values.stage ?? 'prod';
  const out = resolve(values.out ?? `.secrets/${stage}`);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const region = values.region ? ` --region ${values.region}` : '';
  console.log(`# Secrets written to ${out} (one file per function; keep them out of version control).`);
  console.log('# Create them in the region the stack is deployed to:');
  for (const [name, secret] of Object.entries(freshSecrets())) {
    const file = resolve(out, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(secret, null, 2)}\n`, { mode: 0o600 });
    console.log(
      `aws secretsmanager create-secret${region} --name junoevent/${stage}/${name} --secret-string file://${file}`,
    );
  }
}

if (require.main === module) main();
