// npm run redrive [-- --grace <seconds>]: runs the redrive once against the local setup (the
// embedded DynamoDB of the running `npm start`, the broker of `npm run broker`), with the config that
// instance serves. The instance is found through its state file (PORT, DYNAMODB_PORT,
// JUNOEVENT_DATA_DIR and JUNOEVENT_CONFIG override). Exits 1 when an event could not be published.

import { resolve } from 'node:path';
import { loadConfig } from '../shared/config/config';
import { REDRIVE_GRACE_MS, type RedriveReport } from '../shared/publishing/redrive';
import { assemble, redriveWith } from '../shared/runtime';
import { createDynamoClient } from '../shared/store/client';
import { commandLine, runCommand, UsageError, usageFailure } from './lib/cli';
import { displayPath, locateInstance, networkReason } from './lib/instance';
import { functionEnvironment, localSettings, ROOT } from './lib/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REDRIVE_USAGE = [
  'usage: npm run redrive [-- --grace <seconds>]',
  '',
  'Publishes once what the running npm start stored but did not publish, and prints the report as JSON.',
  'The instance is found through <data folder>/instance.json; PORT, DYNAMODB_PORT, JUNOEVENT_DATA_DIR',
  'and JUNOEVENT_CONFIG override. Exits 1 when an event could not be published.',
  '',
  '  --grace  seconds an event stays pending before the redrive takes it (default: the deployed one)',
].join('\n');

/** The line that explains a report with failures, or undefined when all was published. */
export function redriveFailure(report: RedriveReport, broker: string): string | undefined {
  if (report.failed === 0 && !report.brokerDown) return undefined;
  const what = report.brokerDown ? 'the broker did not answer' : `${report.failed} event(s) could not be published`;
  return `redrive: ${what} at ${broker} (the warnings above give the cause): start the broker with npm run broker, then run npm run redrive again`;
}

async function main(): Promise<number> {
  const line = commandLine('redrive', REDRIVE_USAGE, { options: { grace: { type: 'string' } } });
  if (typeof line === 'number') return line;
  const { values } = line;
  const graceMs = values.grace === undefined ? REDRIVE_GRACE_MS : Number(values.grace) * 1000;
  if (!Number.isFinite(graceMs) || graceMs < 0)
    return usageFailure('redrive', REDRIVE_USAGE, new UsageError('--grace takes a number of seconds'));
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
  let report: RedriveReport | undefined;
  try {
    report = await redriveWith(runtime, { timeLeft: () => true, graceMs });
  } catch (error) {
    throw new Error(
      `the redrive could not use DynamoDB at ${located.dynamoEndpoint} (${networkReason(error)}): ${located.hint}`,
    );
  } finally {
    await runtime.publisher?.close();
  }
  if (report === undefined) {
    console.log(`publishing is off (junoevent.rocketmq.enable = false in ${configName}): nothing to redrive`);
    return 0;
  }
  console.log(JSON.stringify(report));
  const failure = redriveFailure(report, config.rocketmq.addr.join(';'));
  if (failure === undefined) return 0;
  console.error(failure);
  return 1;
}

if (require.main === module) runCommand(main);
