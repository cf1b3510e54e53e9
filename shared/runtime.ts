// The composition root: the one place that wires config, store, publisher and routes together.
// Functions call the *Function helpers (once per container, when the module loads); tests, scripts
// and the benchmark call assemble() with their own config, client, publisher or clock, and get the
// same wiring.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { applySecret, loadConfig, requireApiToken, requireSource } from './config/config';
import { readReplaySecret, type SecretTarget } from './config/secret-keys';
import { cachedSecret, type SecretProvider, secretProviderFrom } from './config/secrets';
import { type Config, inRotation } from './config/types';
import { ConfigError } from './errors';
import { isSource, type Source } from './event/catalog';
import { createIdGenerator, type IdGenerator } from './event/ids';
import { httpHandler, serviceUnavailableResponse } from './http/function';
import type { Route } from './http/request';
import { createLogger, type Log } from './logger';
import { type MetricsSink, NO_METRICS, type SECRET_FUNCTIONS } from './metrics/catalogue';
import { createEmfMetrics, stageFromEnv } from './metrics/emf';
import { measuredPublisher } from './metrics/publishing';
import { pageRoute } from './page/route';
import { createPublisher } from './publishing/publisher';
import { type RedriveOptions, redrive } from './publishing/redrive';
import { replay } from './publishing/replay';
import { parseReplayRequest, type ReplayRequest } from './publishing/replay-request';
import type { Publisher } from './publishing/types';
import { readApiRoute } from './read-api/route';
import { envelopeFamily } from './sources/envelope/family';
import { gitFamily } from './sources/git/family';
import { grafanaFamily } from './sources/grafana/family';
import { type WebhookDeps, webhookRoute } from './sources/pipeline';
import { createDynamoClient } from './store/client';
import { createDynamoTable } from './store/dynamo';
import { recordingStore } from './store/recording';
import type { EventStore } from './store/types';

export interface Runtime {
  config: Config;
  store: EventStore;
  logger: Log;
  /** Unix milliseconds. */
  now: () => number;
  /** Present when publishing is enabled. */
  publisher: Publisher | undefined;
  /** Where this function's credentials are read at run time; undefined when they are in the config file. */
  secrets: SecretProvider | undefined;
  /** Where metrics go: EMF in a deployed function, nowhere unless given otherwise. */
  metrics: MetricsSink;
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

/**
 * What a route reads from the config, with its credentials: from the config as loaded, or, with a
 * run-time secret, from the config with the secret applied (read at most once per max age).
 */
function withCredentials<T>(runtime: Runtime, target: SecretTarget, pick: (config: Config) => T): () => Promise<T> {
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
function secretReadFailed(logger: Log, metrics: MetricsSink, name: string, fn: (typeof SECRET_FUNCTIONS)[number]) {
  return (error: unknown) => {
    metrics.add('SecretReadFailures', { function: fn }, 1);
    logger.error('credentials could not be read', {
      secret: name,
      error: error instanceof Error ? error.message : String(error),
    });
  };
}

function apiTokens(config: Config): readonly string[] {
  return inRotation(requireApiToken(config), config.api.previousToken);
}

const source =
  <S extends Source>(name: S) =>
  (config: Config) =>
    requireSource(config, name);

/** What every webhook route needs from the runtime; its publishes are counted for the webhook's function. */
function webhookDeps({ config, store, logger, now, publisher, metrics }: Runtime, source: Source): WebhookDeps {
  const measured = publisher && measuredPublisher(publisher, source, metrics, now);
  return { store, now, logger, publisher: measured, metadataBudget: config.metadataBudget, metrics };
}

/** Each HTTP route of the function set, by function name, built from one runtime. */
export const routes = {
  confgo: (runtime: Runtime) =>
    webhookRoute(
      envelopeFamily('confgo'),
      withCredentials(runtime, 'confgo', source('confgo')),
      webhookDeps(runtime, 'confgo'),
    ),
  devops: (runtime: Runtime) =>
    webhookRoute(
      envelopeFamily('devops'),
      withCredentials(runtime, 'devops', source('devops')),
      webhookDeps(runtime, 'devops'),
    ),
  grafana: (runtime: Runtime) =>
    webhookRoute(
      grafanaFamily,
      withCredentials(runtime, 'grafana', source('grafana')),
      webhookDeps(runtime, 'grafana'),
    ),
  git: (runtime: Runtime) =>
    webhookRoute(gitFamily, withCredentials(runtime, 'git', source('git')), webhookDeps(runtime, 'git')),
  events: (runtime: Runtime) => readApiRoute(withCredentials(runtime, 'api', apiTokens), runtime),
  page: (_runtime: Runtime) => pageRoute(),
} satisfies Record<Source | 'events' | 'page', (runtime: Runtime) => Route>;

export type RouteName = keyof typeof routes;

/** The Lambda handler of one HTTP function over `runtime`. */
function routeHandler(name: RouteName, runtime: Runtime) {
  const { config, logger, metrics } = runtime;
  const maxBodyBytes = isSource(name) ? requireSource(config, name).maxBodyBytes : config.maxBodyBytes;
  return httpHandler(routes[name](runtime), { name, logger, maxBodyBytes, metrics });
}

let container: Runtime | undefined;

/**
 * The container's runtime: config read and clients made once, when the first function module loads.
 * Its metrics are EMF documents in the function's log.
 */
function containerRuntime(): Runtime {
  if (container === undefined) {
    const logger = createLogger();
    const metrics = createEmfMetrics({ stage: stageFromEnv(), now: Date.now, logger });
    container = assemble(loadConfig(), { logger, metrics });
  }
  return container;
}

/** Every function of the set by name, each built from one runtime. */
export type FunctionName = RouteName | 'redrive' | 'replay';

type FunctionHandler<N extends FunctionName> = N extends 'redrive'
  ? ReturnType<typeof redriveHandler>
  : N extends 'replay'
    ? ReturnType<typeof replayHandler>
    : ReturnType<typeof routeHandler>;

/**
 * The Lambda handler of function `name`: over `runtime` when given (tests, scripts, the benchmark),
 * else over the container's, built once when the function's module loads. An HTTP function whose
 * config it cannot run with logs why in full and answers every request with a JSON 503 (never a
 * stack trace, never a 200).
 */
export function functionHandler<N extends FunctionName>(name: N, runtime?: Runtime): FunctionHandler<N>;
export function functionHandler(name: FunctionName, runtime?: Runtime) {
  if (name === 'redrive') return redriveHandler(runtime ?? containerRuntime());
  if (name === 'replay') return replayHandler(runtime ?? containerRuntime());
  if (runtime !== undefined) return routeHandler(name, runtime);
  try {
    return routeHandler(name, containerRuntime());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().error('the function cannot start with its configuration', { function: name, error: error.message });
    return async (): Promise<APIGatewayProxyStructuredResultV2> =>
      serviceUnavailableResponse('the function is not configured correctly; its log says why');
  }
}

/** Time the redrive keeps back for a publish in flight and the backlog report. */
const REDRIVE_MARGIN_MS = 15_000;

/** One redrive run over `runtime`; undefined when publishing is off. */
export function redriveWith(
  runtime: Runtime,
  options: Omit<RedriveOptions, 'store' | 'publisher' | 'logger' | 'now' | 'metrics'>,
) {
  const { store, logger, now, publisher, metrics } = runtime;
  if (publisher === undefined) return undefined;
  return redrive({
    store,
    publisher: measuredPublisher(publisher, 'redrive', metrics, now),
    logger,
    now,
    metrics,
    ...options,
  });
}

/**
 * The scheduled redrive: publishes what is still pending, within the invocation's time. Each run is
 * counted (a skipped one too: the schedule is alive), and the invocation's metrics are written.
 */
function redriveHandler(runtime: Runtime) {
  return async (_event: unknown, context: { getRemainingTimeInMillis(): number }) => {
    try {
      const report = await redriveWith(runtime, {
        timeLeft: () => context.getRemainingTimeInMillis() > REDRIVE_MARGIN_MS,
      });
      runtime.metrics.add('RedriveRuns', {}, 1);
      if (report === undefined) {
        runtime.logger.info('redrive skipped: junoevent.rocketmq.enable is false');
        return { skipped: true };
      }
      return report;
    } finally {
      runtime.metrics.flush();
    }
  };
}

/** Time a replay run keeps back to finish the publish in flight and answer. */
const REPLAY_MARGIN_MS = 15_000;

/** One replay run over `runtime` (publishing may be off for a dry run), its token signed with `resumeKey`. */
export function replayWith(runtime: Runtime, request: ReplayRequest, timeLeft: () => boolean, resumeKey: string) {
  const { store, logger, now, publisher, metrics } = runtime;
  return replay(request, {
    store,
    publisher: publisher && measuredPublisher(publisher, 'replay', metrics, now),
    logger,
    metrics,
    now,
    timeLeft,
    resumeKey,
  });
}

/** The key that signs replay resume tokens: the `resumeKey` of the replay function's own secret. */
export function replayKey(runtime: Runtime): () => Promise<string> {
  const { secrets, logger, metrics } = runtime;
  if (secrets === undefined) {
    const missing = new ConfigError('the replay function reads its resumeKey from its secret: set JUNOEVENT_SECRETS');
    return () => Promise.reject(missing);
  }
  const cache = cachedSecret(secrets, (secret) => readReplaySecret(secret, secrets.name), {
    now: runtime.now,
    onError: secretReadFailed(logger, metrics, secrets.name, 'replay'),
  });
  return () => cache.get();
}

/** The replay function (no HTTP route): one bounded run per invocation, with a resume token for the rest. */
function replayHandler(runtime: Runtime) {
  const key = replayKey(runtime);
  return async (event: unknown, context: { getRemainingTimeInMillis(): number }) => {
    try {
      const resumeKey = await key();
      const timeLeft = () => context.getRemainingTimeInMillis() > REPLAY_MARGIN_MS;
      return await replayWith(runtime, parseReplayRequest(event, resumeKey), timeLeft, resumeKey);
    } finally {
      runtime.metrics.flush();
    }
  };
}
