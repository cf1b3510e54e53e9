// npm run redrive [-- --grace <seconds>]: runs the redrive once against the local setup (the
// embedded DynamoDB of `npm start`, the broker of `npm run broker`), with the config npm start uses.

import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/config';
import { createIdGenerator } from '../shared/event/ids';
import { createLogger } from '../shared/logger';
import { createForwarder } from '../shared/publishing/publisher';
import { REDRIVE_GRACE_MS, redrive } from '../shared/publishing/redrive';
import { createDynamoClient, createDynamoStore } from '../shared/store/store';
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
  const logger = createLogger();
  const forwarder = createForwarder(config.rocketmq, logger);
  if (forwarder === undefined) {
    console.log(`forwarding is off (junoevent.rocketmq.enable = false in ${config.file}): nothing to redrive`);
    return;
  }
  const store = createDynamoStore({
    client: createDynamoClient(env),
    table: config.table,
    ids: createIdGenerator(),
    forwarding: true,
  });
  try {
    const report = await redrive({ store, forwarder, logger, now: Date.now, timeLeft: () => true, graceMs });
    console.log(JSON.stringify(report));
  } finally {
    await forwarder.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
