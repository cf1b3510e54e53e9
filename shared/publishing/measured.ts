// Publish metrics without touching the code that publishes: a Publisher that counts each publish it
// passes on (succeeded or failed) and times it, for the function that sends.

import type { MetricsSink, PUBLISHING_FUNCTIONS } from '../metrics/catalogue';
import type { Publisher } from './types';

export function measuredPublisher(
  publisher: Publisher,
  fn: (typeof PUBLISHING_FUNCTIONS)[number],
  metrics: MetricsSink,
  /** Unix milliseconds. */
  now: () => number,
): Publisher {
  return {
    async publish(record, options) {
      const started = now();
      let outcome: 'succeeded' | 'failed' = 'failed';
      try {
        await publisher.publish(record, options);
        outcome = 'succeeded';
      } finally {
        metrics.add('Publishes', { function: fn, outcome }, 1);
        metrics.add('PublishLatency', { function: fn }, now() - started);
      }
    },
    close: () => publisher.close(),
  };
}
