// What every function has, whatever else it composes: its config, log and metrics. The page
// function needs nothing more, so nothing here reaches the table, the publisher or the secrets
// (shared/runtime/assemble.ts adds them for the functions that use them).

import { loadConfig } from '../config/config';
import type { Config } from '../config/types';
import { createLogger, type Log } from '../logger';
import type { MetricsSink } from '../metrics/catalogue';
import { createEmfMetrics, stageFromEnv } from '../metrics/emf';

export interface RuntimeBase {
  config: Config;
  logger: Log;
  /** Where metrics go: EMF in a deployed function, nowhere unless given otherwise. */
  metrics: MetricsSink;
}

let base: RuntimeBase | undefined;

/**
 * The container's config, log and metrics, made once, when the function's module loads. Its metrics
 * are EMF documents in the function's log.
 */
export function containerBase(): RuntimeBase {
  if (base === undefined) {
    const logger = createLogger();
    const metrics = createEmfMetrics({ stage: stageFromEnv(), now: Date.now, logger });
    base = { config: loadConfig(), logger, metrics };
  }
  return base;
}
