// The composition root: the one place that wires config, store, publisher and routes together.
// Functions call the *Function helpers (once per container, when the module loads); tests, scripts
// and the benchmark call assemble() with their own config, client, publisher or clock, and get the
// same wiring.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig, requireApiToken, requireSource } from './config/config';
import type { Config } from './config/types';
import { isSource, type Source } from './event/catalog';
import { createIdGenerator, type IdGenerator } from './event/ids';
import { httpFunction } from './http/function';
import type { Route } from './http/request';
import { createLogger, type Log } from './logger';
import { pageRoute } from './page/route';
import { createPublisher } from './publishing/publisher';
import { type RedriveOptions, redrive } from './publishing/redrive';
import { parseReplayRequest, type ReplayRequest, replay } from './publishing/replay';
import type { Publisher } from './publishing/types';
import { readApiRoute } from './read-api/route';
import { envelopeRoute } from './sources/envelope/route';
import { gitRoute } from './sources/git/route';
import { grafanaRoute } from './sources/grafana/route';
import type { WebhookDeps } from './sources/pipeline';
import { createDynamoClient } from './store/client';
import { createDynamoStore } from './store/dynamo';
import type { EventStore } from './store/types';

export interface Runtime {
  config: Config;
  store: EventStore;
  logger: Log;
  /** Unix milliseconds. */
  now: () => number;
  /** Present when publishing is enabled. */
  publisher: Publisher | undefined;
}

export interface AssembleOptions {
  client?: DynamoDBClient;
  /** Replaces the publisher the config asks for (tests: one that counts, or none). */
  publisher?: Publisher | undefined;
  logger?: Log;
  now?: () => number;
  ids?: IdGenerator;
}

/** Builds a container's runtime from a loaded config. */
export function assemble(config: Config, options: AssembleOptions = {}): Runtime {
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const publisher = 'publisher' in options ? options.publisher : createPublisher(config.rocketmq, logger);
  return {
    config,
    store: createDynamoStore({
      client: options.client ?? createDynamoClient(),
      table: config.table,
      ids: options.ids ?? createIdGenerator({ now }),
      now,
      redeliveryWindowSeconds: config.redeliveryWindowSeconds,
      publishing: publisher !== undefined,
    }),
    logger,
    now,
    publisher,
  };
}

/** What every webhook route needs from the runtime. */
function webhookDeps({ config, store, logger, now, publisher }: Runtime): WebhookDeps {
  return { store, now, logger, publisher, metadataBudget: config.metadataBudget };
}

/** Each HTTP route of the function set, by function name, built from one runtime. */
export const routes = {
  confgo: (runtime: Runtime) => envelopeRoute('confgo', requireSource(runtime.config, 'confgo'), webhookDeps(runtime)),
  devops: (runtime: Runtime) => envelopeRoute('devops', requireSource(runtime.config, 'devops'), webhookDeps(runtime)),
  grafana: (runtime: Runtime) => grafanaRoute(requireSource(runtime.config, 'grafana'), webhookDeps(runtime)),
  git: (runtime: Runtime) => gitRoute(requireSource(runtime.config, 'git'), webhookDeps(runtime)),
  events: (runtime: Runtime) => readApiRoute(requireApiToken(runtime.config), runtime.store),
  page: (_runtime: Runtime) => pageRoute(),
} satisfies Record<Source | 'events' | 'page', (runtime: Runtime) => Route>;

export type RouteName = keyof typeof routes;

/** The Lambda handler of one route over `runtime`. */
export function routeHandler(name: RouteName, runtime: Runtime) {
  const { config, logger } = runtime;
  const maxBodyBytes = isSource(name) ? requireSource(config, name).maxBodyBytes : config.maxBodyBytes;
  return httpFunction(routes[name](runtime), { name, logger, maxBodyBytes });
}

let container: Runtime | undefined;

/** The container's runtime: config read and clients made once, when the first function module loads. */
function containerRuntime(): Runtime {
  container ??= assemble(loadConfig());
  return container;
}

/** The handler of an HTTP function: builds the container's runtime, so a bad config stops it at load. */
export function httpHandler(name: RouteName) {
  return routeHandler(name, containerRuntime());
}

/** Time the redrive keeps back for a publish in flight and the backlog report. */
const REDRIVE_MARGIN_MS = 15_000;

/** One redrive run over `runtime`; undefined when publishing is off. */
export function redriveWith(runtime: Runtime, options: Omit<RedriveOptions, 'store' | 'publisher' | 'logger' | 'now'>) {
  const { store, logger, now, publisher } = runtime;
  if (publisher === undefined) return undefined;
  return redrive({ store, publisher, logger, now, ...options });
}

/** The scheduled redrive: publishes what is still pending, within the invocation's time. */
export function redriveFunction() {
  const runtime = containerRuntime();
  return async (_event: unknown, context: { getRemainingTimeInMillis(): number }) => {
    const report = await redriveWith(runtime, {
      timeLeft: () => context.getRemainingTimeInMillis() > REDRIVE_MARGIN_MS,
    });
    if (report === undefined) {
      runtime.logger.info('redrive skipped: junoevent.rocketmq.enable is false');
      return { skipped: true };
    }
    return report;
  };
}

/** Time a replay run keeps back to finish the publish in flight and answer. */
const REPLAY_MARGIN_MS = 15_000;

/** One replay run over `runtime` (publishing may be off for a dry run). */
export function replayWith(runtime: Runtime, request: ReplayRequest, timeLeft: () => boolean) {
  const { store, logger, now, publisher } = runtime;
  return replay(request, { store, publisher, logger, now, timeLeft });
}

/** The replay function (no HTTP route): one bounded run per invocation, with a resume token for the rest. */
export function replayFunction() {
  const runtime = containerRuntime();
  return async (event: unknown, context: { getRemainingTimeInMillis(): number }) =>
    replayWith(runtime, parseReplayRequest(event), () => context.getRemainingTimeInMillis() > REPLAY_MARGIN_MS);
}
