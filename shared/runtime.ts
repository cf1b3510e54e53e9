// Per-container wiring: config, clients and logger are created once, when the function's module
// loads, so a bad config stops the function before it serves anything.

import type { Source } from './catalog';
import { type Config, loadConfig, requireApiToken, requireSource } from './config';
import { httpFunction } from './http';
import { createIdGenerator } from './ids';
import { createLogger, type Log } from './logger';
import { readApiRoute } from './read-api';
import { createDocumentClient, createDynamoStore, type EventStore } from './store';
import { envelopeRoute, gitRoute, grafanaRoute } from './webhook';

export interface Runtime {
  config: Config;
  store: EventStore;
  logger: Log;
  now: () => number;
}

let current: Runtime | undefined;

export function runtime(): Runtime {
  if (current === undefined) {
    const config = loadConfig();
    current = {
      config,
      store: createDynamoStore({
        client: createDocumentClient(),
        table: config.table,
        ids: createIdGenerator(),
        dedupTtlSeconds: config.redeliveryWindowSeconds,
      }),
      logger: createLogger(),
      now: Date.now,
    };
  }
  return current;
}

/** The handler of a source that posts Juno event envelopes (confgo, devops). */
export function envelopeFunction(source: Source) {
  const { config, store, logger, now } = runtime();
  const route = envelopeRoute(source, requireSource(config, source), {
    store,
    now,
    metadataBudget: config.metadataBudget,
  });
  return httpFunction(route, { name: source, logger, maxBodyBytes: config.maxBodyBytes });
}

export function grafanaFunction() {
  const { config, store, logger, now } = runtime();
  const route = grafanaRoute(requireSource(config, 'grafana'), { store, now, metadataBudget: config.metadataBudget });
  return httpFunction(route, { name: 'grafana', logger, maxBodyBytes: config.maxBodyBytes });
}

export function gitFunction() {
  const { config, store, logger, now } = runtime();
  const route = gitRoute(requireSource(config, 'git'), { store, now, metadataBudget: config.metadataBudget });
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
