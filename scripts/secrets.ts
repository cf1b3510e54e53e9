// npm run secrets -- [--stage prod] [--region us-east-1] [--out <folder>] [--force]: writes each
// function's secret with fresh values (one JSON file per function, readable by the owner only) and
// prints the commands that create them in Secrets Manager. Nothing is sent anywhere by this script.
// Secrets already written are never replaced without --force: they may be the ones deployed.

import { parseArgs } from 'node:util';
import { writeStageSecrets } from './lib/stage-secrets';

function main(): void {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'prod' },
      region: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const { out, commands } = writeStageSecrets({
    stage: values.stage ?? 'prod',
    region: values.region,
    out: values.out,
    force: values.force ?? false,
  });
  console.log(`# Secrets written to ${out} (one file per function; keep them out of version control).`);
  console.log('# Create them in the region the stack is deployed to:');
  for (const command of commands) console.log(command);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
