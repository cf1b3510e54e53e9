// npm run redrive [-- --grace <seconds>]: runs the redrive once against the local setup (the
// embedded DynamoDB of the running `npm start`, the broker of `npm run broker`), with the config that
// instance serves. The instance is found through its state file (PORT, DYNAMODB_PORT,
// JUNOEVENT_DATA_DIR and JUNOEVENT_CONFIG override).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/config';
import { REDRIVE_GRACE_MS } from '../shared/publishing/redrive';
import { assemble, redriveWith } from '../shared/runtime';
import { createDynamoClient } from '../shared/store/client';
import { displayPath, locateInstance, networkReason } from './lib/instance';
import { functionEnvironment, localSettings, ROOT } from './lib/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { grace: { type: 'string' } } });
  const graceMs = values.grace === undefined ? REDRIVE_GRACE_MS : Number(values.grace) * 1000;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error('--grace takes a number of seconds');
  const located = locateInstance();
  const settings = localSettings();
  const explicit = process.env.JUNOEVENT_CONFIG;
  const configFile = explicit ? resolve(explicit) : (located.configLoaded ?? resolve(ROOT, 'junoevent.toml'));
  const configName = displayPath(explicit ? resolve(explicit) : (located.state?.config ?? configFile));
  const env = {
    ...process.env,
    ...functionEnvironment(settings),
    DYNAMODB_ENDPOINT: located.dynamoEndpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
  Object.assign(process.env, env);
  const config = loadConfig({ file: configFile, env });
  const runtime = assemble(config, { client: createDynamoClient(env) });
  try {
    const report = await redriveWith(runtime, { timeLeft: () => true, graceMs });
    console.log(
      report === undefined
        ? `publishing is off (junoevent.rocketmq.enable = false in ${configName}): nothing to redrive`
        : JSON.stringify(report),
    );
  } catch (error) {
    throw new Error(
      `the redrive could not use DynamoDB at ${located.dynamoEndpoint} (${networkReason(error)}): ${located.hint}`,
    );
  } finally {
    await runtime.publisher?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
