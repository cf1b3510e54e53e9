// The composition root of the whole function set. Each function composes only its own part, from
// the modules in shared/runtime/ (functions/<name>.ts names its route and its runtime), so its
// bundle holds only what it runs; this module puts every part together under one name per function,
// for the tests, the scripts and the benchmark, which get the same wiring as the functions.
//
//   runtime/base.ts      config, log and metrics;  runtime/http.ts  the HTTP stack over a route
//   runtime/assemble.ts  assemble(config): the table, the publisher, secrets and credentials added
//   runtime/webhooks.ts  one route per webhook;  runtime/events.ts  the read API's route
//   runtime/redrive.ts, runtime/replay.ts   the two functions without an HTTP route

import type { Route } from './http/request';
import { pageRoute } from './page/route';
import { containerRuntime, type Runtime } from './runtime/assemble';
import { containerBase } from './runtime/base';
import { eventsRoute } from './runtime/events';
import { type HttpFunctionName, httpFunction } from './runtime/http';
import { redriveHandler } from './runtime/redrive';
import { replayHandler } from './runtime/replay';
import { confgoRoute, devopsRoute, gitRoute, grafanaRoute } from './runtime/webhooks';

export { type AssembleOptions, assemble, type Runtime } from './runtime/assemble';
export type { RuntimeBase } from './runtime/base';
export { redriveWith } from './runtime/redrive';
export { replayKey, replayWith } from './runtime/replay';

/** Each HTTP route of the function set, by function name, built from one runtime. */
export const routes = {
  confgo: confgoRoute,
  devops: devopsRoute,
  grafana: grafanaRoute,
  git: gitRoute,
  events: eventsRoute,
  page: (_runtime: Runtime) => pageRoute(),
} satisfies Record<HttpFunctionName, (runtime: Runtime) => Route>;

export type RouteName = keyof typeof routes;

/** Every function of the set by name. */
export type FunctionName = RouteName | 'redrive' | 'replay';

type FunctionHandler<N extends FunctionName> = N extends 'redrive'
  ? ReturnType<typeof redriveHandler>
  : N extends 'replay'
    ? ReturnType<typeof replayHandler>
    : ReturnType<typeof httpFunction<Runtime>>;

/**
 * The Lambda handler of function `name`: over `runtime` when given (tests, scripts, the benchmark),
 * else over the container's, as functions/<name>.ts builds it (the page's with no table, no publisher
 * and no secrets). An HTTP function whose config it cannot run with answers every request with a 503.
 */
export function functionHandler<N extends FunctionName>(name: N, runtime?: Runtime): FunctionHandler<N>;
export function functionHandler(name: FunctionName, runtime?: Runtime) {
  if (name === 'redrive') return redriveHandler(runtime ?? containerRuntime());
  if (name === 'replay') return replayHandler(runtime ?? containerRuntime());
  if (name === 'page') return httpFunction(name, pageRoute, runtime ?? containerBase);
  return httpFunction(name, routes[name], runtime ?? containerRuntime);
}
