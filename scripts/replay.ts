// npm run replay -- --since <time> [--until <time>] [--app <name>] [--source <source>]
//   [--operation <op>] [--env <env>] [--dry-run] [--max-events <n>] [--resume <token>] [--once]
// Replays stored events to the topic against the local setup (the embedded DynamoDB of `npm start`,
// the broker of `npm run broker`), with the config npm start uses (JUNOEVENT_CONFIG, e.g.
// examples/junoevent.rocketmq.toml). The same runs as the replay function: bounded, each printed as
// one JSON line; without --once it goes on with each run's resume token until the range is done.

import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/config';
import { secretProviderFrom } from '../shared/config/secrets';
import { parseReplayRequest, type ReplayRequest } from '../shared/publishing/replay-request';
import { assemble, replayKey, replayWith } from '../shared/runtime';
import { createDynamoClient } from '../shared/store/client';
import { functionEnvironment, localSettings, writeFunctionSecrets } from './lib/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
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
  const settings = localSettings();
  // The replay function's own secret, as npm start writes it: its resumeKey signs the resume tokens.
  const secretSource = writeFunctionSecrets(settings);
  const env = {
    ...process.env,
    ...functionEnvironment(settings),
    JUNOEVENT_SECRETS: `${secretSource}/replay`,
    DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${settings.dynamoPort}`,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
  Object.assign(process.env, env);
  const runtime = assemble(loadConfig({ env }), { client: createDynamoClient(env), secrets: secretProviderFrom(env) });
  try {
    const resumeKey = await replayKey(runtime)();
    let request: ReplayRequest = parseReplayRequest(input, resumeKey);
    for (;;) {
      const report = await replayWith(runtime, request, () => true, resumeKey);
      console.log(JSON.stringify(report));
      if (report.error !== undefined) throw new Error(`replay ${report.replay_id} stopped: ${report.error}`);
      if (report.resume === null || values.once) return;
      request = parseReplayRequest({ resume: report.resume, ...maxEvents }, resumeKey);
    }
  } finally {
    await runtime.publisher?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
