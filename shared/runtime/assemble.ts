// The runtime of every function that reaches the table: config, store, publisher, secrets, clock,
// log and metrics, built by assemble() (tests, scripts and the benchmark call it with their own
// config, client, publisher or clock, and get the same wiring), and the credentials a route reads.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { applySecret } from '../config/config';
import type { SecretTarget } from '../config/secret-keys';
import { cachedSecret, type SecretProvider, secretProviderFrom } from '../config/secrets';
import type { Config } from '../config/types';
import { createIdGenerator, type IdGenerator } from '../event/ids';
import { createLogger, type Log } from '../logger';
import { type MetricsSink, NO_METRICS, type SECRET_FUNCTIONS } from '../metrics/catalogue';
import { createPublisher } from '../publishing/publisher';
import type { Publisher } from '../publishing/types';
import { createDynamoClient } from '../store/client';
import { createDynamoTable } from '../store/dynamo';
import { recordingStore } from '../store/recording';
import type { EventStore } from '../store/types';
import { containerBase, type RuntimeBase } from './base';

export interface Runtime extends RuntimeBase {
  store: EventStore;
  /** Unix milliseconds. */
  now: () => number;
  /** Present when publishing is enabled. */
  publisher: Publisher | undefined;
  /** Where this function's credentials are read at run time; undefined when they are in the config file. */
  secrets: SecretProvider | undefined;
}

export interface AssembleOptions {
  client?: DynamoDBClient;
  /** Replaces the publisher the config asks for (tests: one that counts, or none). */
  publisher?: Publisher | undefined;
  logger?: Log;
  now?: () => number;
  ids?: IdGenerator;
  /** Replaces the secret provider JUNOEVENT_SECRETS names. */
  secrets?: SecretProvider | undefined;
  /** Where metrics go; none are written when not given (scripts, tests). */
  metrics?: MetricsSink;
}

/** Builds a container's runtime from a loaded config. */
export function assemble(config: Config, options: AssembleOptions = {}): Runtime {
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const publisher = 'publisher' in options ? options.publisher : createPublisher(config.rocketmq, logger);
  const { table, retentionSeconds } = config;
  return {
    config,
    store: recordingStore(
      createDynamoTable({ client: options.client ?? createDynamoClient(), table, now, retentionSeconds }),
      {
        ids: options.ids ?? createIdGenerator({ now }),
        now,
        redeliveryWindowSeconds: config.redeliveryWindowSeconds,
        publishing: publisher !== undefined,
      },
    ),
    logger,
    now,
    publisher,
    secrets: 'secrets' in options ? options.secrets : secretProviderFrom(),
    metrics: options.metrics ?? NO_METRICS,
  };
}

let container: Runtime | undefined;

/** The container's runtime: config read and clients made once, when the function's module loads. */
export function containerRuntime(): Runtime {
  if (container === undefined) {
    const { config, logger, metrics } = containerBase();
    container = assemble(config, { logger, metrics });
  }
  return container;
}

/**
 * What a route reads from the config, with its credentials: from the config as loaded, or, with a
 * run-time secret, from the config with the secret applied (read at most once per max age).
 */
export function withCredentials<T>(
  runtime: Runtime,
  target: SecretTarget,
  pick: (config: Config) => T,
): () => Promise<T> {
  const { secrets, logger, metrics } = runtime;
  if (secrets === undefined) {
    const value = pick(runtime.config);
    return () => Promise.resolve(value);
  }
  const cache = cachedSecret(secrets, (secret) => pick(applySecret(runtime.config, target, secret, secrets.name)), {
    now: runtime.now,
    // The read API's token is the events function's secret.
    onError: secretReadFailed(logger, metrics, secrets.name, target === 'api' ? 'events' : target),
  });
  return () => cache.get();
}

/** Logs and counts a secret that could not be read or applied: the secret's name and why, never its value. */
export function secretReadFailed(
  logger: Log,
  metrics: MetricsSink,
  name: string,
  fn: (typeof SECRET_FUNCTIONS)[number],
) {
  return (error: unknown) => {
    metrics.add('SecretReadFailures', { function: fn }, 1);
    logger.error('credentials could not be read', {
      secret: name,
      error: error instanceof Error ? error.message : String(error),
    });
  };
}
