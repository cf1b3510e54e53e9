// npm run redrive [-- --grace <seconds>]: runs the redrive once against the local setup (the
// embedded DynamoDB of `npm start`, the broker of `npm run broker`), with the config npm start uses.

import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/config';
import { REDRIVE_GRACE_MS } from '../shared/publishing/redrive';
import { assemble, redriveWith } from '../shared/runtime';
import { createDynamoClient } from '../shared/store/client';
import { functionEnvironment, localSettings } from './local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { grace: { type: 'string' } } });
  const graceMs = values.grace === undefined ? REDRIVE_GRACE_MS : Number(values.grace) * 1000;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error('--grace takes a number of seconds');
  const settings = localSettings();
  const env = {
    ...process.env,
    ...functionEnvironment(settings),
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${settings.dynamoPort}`,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
  Object.assign(process.env, env);
  const config = loadConfig({ env });
  const runtime = assemble(config, { client: createDynamoClient(env) });
  try {
    const report = await redriveWith(runtime, { timeLeft: () => true, graceMs });
    console.log(
      report === undefined
        ? `publishing is off (junoevent.rocketmq.enable = false in ${config.file}): nothing to redrive`
        : JSON.stringify(report),
    );
  } finally {
    await runtime.publisher?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
