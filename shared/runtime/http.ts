// The HTTP functions' handler: one route over a runtime, behind the HTTP stack, with the 503 a
// function answers when its config cannot run.

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { requireSource } from '../config/config';
import { ConfigError } from '../errors';
import { isSource } from '../event/catalog';
import { httpHandler, serviceUnavailableResponse } from '../http/function';
import type { Route } from '../http/request';
import { createLogger } from '../logger';
import type { HTTP_FUNCTIONS } from '../metrics/catalogue';
import type { RuntimeBase } from './base';

/** Every function of the set that answers HTTP requests. */
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];

/** The Lambda handler of one HTTP function: `route` over `runtime`, behind the HTTP stack. */
function routeHandler<R extends RuntimeBase>(name: HttpFunctionName, route: (runtime: R) => Route, runtime: R) {
  const { config, logger, metrics } = runtime;
  const maxBodyBytes = isSource(name) ? requireSource(config, name).maxBodyBytes : config.maxBodyBytes;
  return httpHandler(route(runtime), { name, logger, maxBodyBytes, metrics });
}

/**
 * The Lambda handler of HTTP function `name`: over `runtime` when given (tests, scripts, the
 * benchmark), else over the container's, made now by `container`. A function whose config it cannot
 * run with logs why in full and answers every request with a JSON 503 (never a stack trace, never a 200).
 */
export function httpFunction<R extends RuntimeBase>(
  name: HttpFunctionName,
  route: (runtime: R) => Route,
  runtime: R | (() => R),
) {
  if (typeof runtime !== 'function') return routeHandler(name, route, runtime);
  try {
    return routeHandler(name, route, runtime());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().error('the function cannot start with its configuration', { function: name, error: error.message });
    return async (): Promise<APIGatewayProxyStructuredResultV2> =>
      serviceUnavailableResponse('the function is not configured correctly; its log says why');
  }
}
