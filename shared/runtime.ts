// Per-container wiring: config, clients and logger are created once, when the function's module
// loads, so a bad config stops the function before it serves anything.

import type { Source } from './catalog';
import { type Config, loadConfig, requireApiToken, requireSource } from './config';
import { NotImplementedError } from './errors';
import { httpFunction } from './http';
import { createIdGenerator } from './ids';
import { createLogger, type Log } from './logger';
import { readApiRoute } from './read-api';
import { createDocumentClient, createDynamoStore, type EventStore } from './store';
import { envelopeRoute } from './webhook';

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
      store: createDynamoStore({ client: createDocumentClient(), table: config.table, ids: createIdGenerator() }),
      logger: createLogger(),
      now: Date.now,
    };
  }
  return current;
}

/** The handler of a source that posts Juno event envelopes (confgo, devops). */
export function envelopeFunction(source: Source) {
  const { config, store, logger, now } = runtime();
  const route = envelopeRoute(source, requireSource(config, source), { store, now });
  return httpFunction(route, { name: source, logger, maxBodyBytes: config.maxBodyBytes });
}

/** The handler of a source whose format is not accepted yet: a clear 501. */
export function pendingFunction(source: Source) {
  const { config, logger } = runtime();
  return httpFunction(
    async () => {
      throw new NotImplementedError(`the ${source} webhook format is not supported yet`);
    },
    { name: source, logger, maxBodyBytes: config.maxBodyBytes },
  );
}

export function readApiFunction() {
  const { config, store, logger } = runtime();
  return httpFunction(readApiRoute(requireApiToken(config), store), {
    name: 'events',
    logger,
    maxBodyBytes: config.maxBodyBytes,
  });
}
