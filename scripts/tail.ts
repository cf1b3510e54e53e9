// npm run tail [-- --group <name>] [--tag <tag||tag>] [--addr <host:port>]
// Prints every message published to the configured topic from now on, one line each:
//   <tag> <keys> [replay=<replay id>] <record JSON>
// It consumes with a consumer group of its own (junoevent_tail by default; give each tail its own
// --group: tails sharing a group share the messages) and skips messages born before it started.
// The topic and the Proxy come from the config npm start uses (JUNOEVENT_CONFIG, junoevent.toml).

import type { MessageView } from 'rocketmq-client-nodejs';
import { loadConfig } from '../shared/config/config';
import { REPLAY_PROPERTY } from '../shared/publishing/replay';
import { commandLine } from './lib/cli';
import { networkReason } from './lib/instance';
import { functionEnvironment, localSettings } from './lib/local';

export const DEFAULT_TAIL_GROUP = 'junoevent_tail';
export const TAIL_USAGE = [
  'usage: npm run tail [-- --group <name>] [--tag <tag||tag>] [--addr <host:port>]',
  '',
  'Prints every message published to the configured topic from now on, one line each:',
  '  <tag> <keys> [replay=<replay id>] <record JSON>',
  'The topic and the Proxy come from the config npm start uses (JUNOEVENT_CONFIG, junoevent.toml);',
  'the broker is the one npm run broker starts. Exits 1 when publishing is off in that config.',
  '',
  `  --group  the consumer group (default ${DEFAULT_TAIL_GROUP}); tails sharing a group share the messages`,
  '  --tag    only messages with this tag (default *, all)',
  '  --addr   the Proxy to connect to instead of the configured one',
].join('\n');
const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined };

/** One message as a line: tag, keys, the replay id when it is a replay, and the body (the record). */
export function tailLine(message: Pick<MessageView, 'tag' | 'keys' | 'properties' | 'body'>): string {
  const replayId = message.properties.get(REPLAY_PROPERTY);
  const parts = [message.tag ?? '-', message.keys.join(',') || '-'];
  if (replayId !== undefined) parts.push(`replay=${replayId}`);
  parts.push(message.body.toString('utf8'));
  return parts.join(' ');
}

/** Tail has nothing to show when junoevent publishes nothing: it says so and fails, without connecting. */
function publishingOff(file: string): number {
  console.error(
    `tail: publishing is off in ${file} (enable = false): junoevent sends nothing to the topic. Set enable = true there, or run JUNOEVENT_CONFIG=examples/junoevent.rocketmq.toml npm start, with npm run broker`,
  );
  return 1;
}

async function main(): Promise<number> {
  const line = commandLine('tail', TAIL_USAGE, {
    options: {
      group: { type: 'string', default: DEFAULT_TAIL_GROUP },
      tag: { type: 'string', default: '*' },
      addr: { type: 'string' },
    },
  });
  if (typeof line === 'number') return line;
  const { values } = line;
  const env = { ...process.env, ...functionEnvironment(localSettings()), ...process.env };
  const config = loadConfig({ env });
  const { rocketmq } = config;
  const endpoints = values.addr ?? rocketmq.addr.join(';');
  if (!rocketmq.topic || !endpoints) throw new Error(`${config.file}: set [junoevent.rocketmq] addr and topic`);
  if (!rocketmq.enable) return publishingOff(config.file);
  // Loaded only to connect: the client writes to stderr when it loads on a machine without a network
  // interface, and --help or publishing off never needs it.
  const { FilterExpression, SimpleConsumer } = await import('rocketmq-client-nodejs');
  const { guardTelemetryStreams } = await import('../shared/publishing/rocketmq');
  const consumer = new SimpleConsumer({
    endpoints,
    namespace: '',
    logger: quiet,
    consumerGroup: values.group,
    subscriptions: new Map([[rocketmq.topic, new FilterExpression(values.tag)]]),
    awaitDuration: 10_000,
    requestTimeout: 3000,
  });
  guardTelemetryStreams(consumer);
  try {
    await consumer.startup();
  } catch (error) {
    throw new Error(
      `tail: cannot subscribe to ${rocketmq.topic} at ${endpoints} (${networkReason(error)}): start the broker with npm run broker`,
    );
  }
  const started = Date.now();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    consumer.shutdown().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.error(`tail: ${rocketmq.topic} at ${endpoints}, group ${values.group}, tag ${values.tag}; from now on`);

  let older = 0;
  while (!stopping) {
    let views: MessageView[];
    try {
      views = await consumer.receive(32, 30_000);
    } catch (error) {
      if (stopping) break;
      console.error(`tail: receive failed (${error instanceof Error ? error.message : String(error)}); retrying`);
      await new Promise((done) => setTimeout(done, 1000));
      continue;
    }
    for (const view of views) {
      // A group's position can be behind "now" (an earlier run, or a new group starting at the
      // queue's beginning): what was born before this tail started is acknowledged unseen.
      if ((view.bornTimestamp?.getTime() ?? started) < started) older += 1;
      else console.log(tailLine(view));
      await consumer.ack(view).catch(() => undefined);
    }
    if (older > 0 && views.length === 0) {
      console.error(`tail: skipped ${older} message(s) published before it started`);
      older = 0;
    }
  }
  return 0;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
