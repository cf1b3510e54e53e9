// Per-container wiring: config, clients and logger are created once, when the function's module
// loads, so a bad config stops the function before it serves anything.

import { type Config, loadConfig, requireApiToken, requireSource } from './config/config';
import type { Source } from './event/catalog';
import { createIdGenerator } from './event/ids';
import { httpFunction } from './http/function';
import { createLogger, type Log } from './logger';
import { createForwarder, type Forwarder } from './publishing/publisher';
import { redrive } from './publishing/redrive';
import { readApiRoute } from './read-api/route';
import { envelopeRoute, gitRoute, grafanaRoute, type WebhookDeps } from './sources/pipeline';
import { createDynamoClient, createDynamoStore, type EventStore } from './store/store';

export interface Runtime {
  config: Config;
  store: EventStore;
  logger: Log;
  now: () => number;
  forwarder: Forwarder | undefined;
}

let current: Runtime | undefined;

export function runtime(): Runtime {
  if (current === undefined) {
    const config = loadConfig();
    const logger = createLogger();
    current = {
      config,
      store: createDynamoStore({
        client: createDynamoClient(),
        table: config.table,
        ids: createIdGenerator(),
        dedupTtlSeconds: config.redeliveryWindowSeconds,
        forwarding: config.rocketmq.enable,
      }),
      logger,
      now: Date.now,
      forwarder: createForwarder(config.rocketmq, logger),
    };
  }
  return current;
}

/** What every webhook route needs from the container. */
function webhookDeps({ config, store, logger, now, forwarder }: Runtime): WebhookDeps {
  return { store, now, logger, forwarder, metadataBudget: config.metadataBudget };
}

/** The handler of a source that posts Juno event envelopes (confgo, devops). */
export function envelopeFunction(source: Source) {
  const current = runtime();
  const { config, logger } = current;
  const route = envelopeRoute(source, requireSource(config, source), webhookDeps(current));
  return httpFunction(route, { name: source, logger, maxBodyBytes: config.maxBodyBytes });
}

export function grafanaFunction() {
  const current = runtime();
  const { config, logger } = current;
  const route = grafanaRoute(requireSource(config, 'grafana'), webhookDeps(current));
  return httpFunction(route, { name: 'grafana', logger, maxBodyBytes: config.maxBodyBytes });
}

export function gitFunction() {
  const current = runtime();
  const { config, logger } = current;
  const route = gitRoute(requireSource(config, 'git'), webhookDeps(current));
  return httpFunction(route, { name: 'git', logger, maxBodyBytes: config.maxBodyBytes });
}

export function readApiFunction() {
  const { config, store, logger } = runtime();
  return httpFunction(readApiRoute(requireApiToken(config), store), {
    name: 'events',
    logger,
    maxBodyBytes: config.maxBodyBytes,
  });
}

/** The scheduled redrive: publishes what is still pending, within the invocation's time. */
export function redriveFunction() {
  const { store, logger, now, forwarder } = runtime();
  return async (_event: unknown, context: { getRemainingTimeInMillis(): number }) => {
    if (forwarder === undefined) {
      logger.info('redrive skipped: junoevent.rocketmq.enable is false');
      return { skipped: true };
    }
    return redrive({
      store,
      forwarder,
      logger,
      now,
      timeLeft: () => context.getRemainingTimeInMillis() > REDRIVE_MARGIN_MS,
    });
  };
}

/** Time the redrive keeps back for a publish in flight and the backlog report. */
const REDRIVE_MARGIN_MS = 15_000;
