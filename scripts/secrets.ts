// npm run secrets -- [--stage prod] [--region us-east-1] [--out <folder>] [--force]: writes each
// function's secret with fresh values (one JSON file per function, readable by the owner only) and
// prints the commands that create them in Secrets Manager. Nothing is sent anywhere by this script.
// Secrets already written are never replaced without --force: they may be the ones deployed.

import { commandLine } from './lib/cli';
import { writeStageSecrets } from './lib/stage-secrets';

export const SECRETS_USAGE = [
  'usage: npm run secrets -- [--stage <name>] [--region <region>] [--out <folder>] [--force]',
  '',
  "Writes each function's secret with fresh values (one JSON file per function, readable by the owner",
  'only) and prints the aws commands that create them in Secrets Manager. Nothing is sent anywhere.',
  '',
  '  --stage   the stage the secrets are for (default prod)',
  '  --region  the region the stack is deployed to, put in the printed commands',
  '  --out     the folder to write to (default .secrets/<stage>)',
  '  --force   replace secrets already written there (they may be the ones deployed)',
].join('\n');

function main(): number {
  const line = commandLine('secrets', SECRETS_USAGE, {
    options: {
      stage: { type: 'string', default: 'prod' },
      region: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  if (typeof line === 'number') return line;
  const { values } = line;
  const { out, commands } = writeStageSecrets({
    stage: values.stage ?? 'prod',
    region: values.region,
    out: values.out,
    force: values.force ?? false,
  });
  console.log(`# Secrets written to ${out} (one file per function; keep them out of version control).`);
  console.log('# Create them in the region the stack is deployed to:');
  for (const command of commands) console.log(command);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
