// The scheduled redrive: publishes what is still pending, within the invocation's time.

import { measuredPublisher } from '../publishing/measured';
import { type RedriveOptions, redrive } from '../publishing/redrive';
import type { Runtime } from './assemble';

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
 * The redrive function's handler over `runtime`. Each run is counted (a skipped one too: the
 * schedule is alive), and the invocation's metrics are written.
 */
export function redriveHandler(runtime: Runtime) {
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
