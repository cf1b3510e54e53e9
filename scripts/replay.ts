// npm run replay -- --since <time> [--until <time>] [--app <name>] [--source <source>]
//   [--operation <op>] [--env <env>] [--dry-run] [--max-events <n>] [--resume <token>] [--once]
// Replays stored events to the topic against the local setup (the embedded DynamoDB of the running
// `npm start`, found through its state file, and the broker of `npm run broker`), with the config
// that instance serves. The same runs as the replay function: bounded, each printed as one JSON line;
// without --once it goes on with each run's resume token until the range is done.

import { resolve } from 'node:path';
import { loadConfig } from '../shared/config/config';
import { secretProviderFrom } from '../shared/config/secrets';
import { ServiceUnavailableError } from '../shared/errors';
import { parseReplayRequest, type ReplayRequest } from '../shared/publishing/replay-request';
import { assemble, replayKey, replayWith } from '../shared/runtime';
import { createDynamoClient } from '../shared/store/client';
import { commandLine, runCommand } from './lib/cli';
import { locateInstance, networkReason } from './lib/instance';
import { functionEnvironment, localSettings, ROOT, writeFunctionSecrets } from './lib/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REPLAY_USAGE = [
  'usage: npm run replay -- --since <time> [--until <time>] [--app <name>] [--source <source>]',
  '         [--operation <op>] [--env <env>] [--dry-run] [--max-events <n>] [--resume <token>] [--once]',
  '',
  'Publishes the stored events of a time range to the topic again, each with its replay id, and prints',
  'each run as one JSON line. The running npm start is found through <data folder>/instance.json',
  '(PORT, DYNAMODB_PORT, JUNOEVENT_DATA_DIR and JUNOEVENT_CONFIG override); publishing needs npm run broker.',
  '',
  '  --since, --until  the range, as ISO 8601 times',
  '  --app, --source, --operation, --env  only the events with this value',
  '  --dry-run         count what would be replayed, publish nothing',
  '  --max-events      at most this many events per run',
  '  --resume          go on from the resume token a run printed',
  '  --once            one run only, even when the range is not done',
].join('\n');

async function main(): Promise<number> {
  const line = commandLine('replay', REPLAY_USAGE, {
    options: {
      app: { type: 'string' },
      source: { type: 'string' },
      operation: { type: 'string' },
      env: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'max-events': { type: 'string' },
      resume: { type: 'string' },
      once: { type: 'boolean', default: false },
    },
  });
  if (typeof line === 'number') return line;
  const { values } = line;
  const maxEvents = values['max-events'] === undefined ? {} : { max_events: Number(values['max-events']) };
  const input =
    values.resume !== undefined
      ? { resume: values.resume, ...maxEvents }
      : {
          ...(values.app === undefined ? {} : { app_name: values.app }),
          ...(values.source === undefined ? {} : { source: values.source }),
          ...(values.operation === undefined ? {} : { operation: values.operation }),
          ...(values.env === undefined ? {} : { env: values.env }),
          ...(values.since === undefined ? {} : { since: values.since }),
          ...(values.until === undefined ? {} : { until: values.until }),
          ...(values['dry-run'] ? { dry_run: true } : {}),
          ...maxEvents,
        };
  const located = locateInstance();
  // An endpoint given outright (tests, another table) wins over the one the instance recorded.
  const dynamoEndpoint = process.env.DYNAMODB_ENDPOINT || located.dynamoEndpoint;
  const settings = localSettings();
  const explicit = process.env.JUNOEVENT_CONFIG;
  const configFile = explicit ? resolve(explicit) : (located.configLoaded ?? resolve(ROOT, 'junoevent.toml'));
  // The replay function's own secret, as npm start writes it: its resumeKey signs the resume tokens.
  const secretSource = writeFunctionSecrets(settings);
  const env = {
    ...process.env,
    ...functionEnvironment(settings),
    JUNOEVENT_SECRETS: `${secretSource}/replay`,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
  Object.assign(process.env, env);
  const config = loadConfig({ file: configFile, env });
  const runtime = assemble(config, { client: createDynamoClient(env), secrets: secretProviderFrom(env) });
  const broker = config.rocketmq.addr.join(';');
  try {
    const resumeKey = await replayKey(runtime)();
    let request: ReplayRequest = parseReplayRequest(input, resumeKey);
    for (;;) {
      const report = await replayWith(runtime, request, () => true, resumeKey);
      console.log(JSON.stringify(report));
      if (report.error !== undefined) {
        console.error(
          `replay ${report.replay_id} stopped: publishing to the broker at ${broker} failed (${report.error}): start the broker with npm run broker, then go on with --resume and the token above`,
        );
        return 1;
      }
      if (report.resume === null || values.once) return 0;
      request = parseReplayRequest({ resume: report.resume, ...maxEvents }, resumeKey);
    }
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError)) throw error;
    throw new Error(
      `the replay could not use DynamoDB at ${dynamoEndpoint} (${networkReason(error)}): ${located.hint}`,
    );
  } finally {
    await runtime.publisher?.close();
  }
}

if (require.main === module) runCommand(main);
