// Forwarding stored events to the message stream. With rocketmq disabled there is no forwarder and
// the RocketMQ client is never loaded; with it enabled, the client module loads on first use.

import type { RocketMqConfig } from '../config/config';
import type { AppEvent } from '../event/record';
import type { Log } from '../logger';

export interface Forwarder {
  /** Publishes one record; rejects when every attempt failed. */
  publish(record: AppEvent): Promise<void>;
  /** Stops the producer (tests, scripts); a Lambda container keeps it. */
  close(): Promise<void>;
}

export function createForwarder(config: RocketMqConfig, logger: Log): Forwarder | undefined {
  if (!config.enable) return undefined;
  let loaded: Promise<Forwarder> | undefined;
  const load = () => {
    loaded ??= import('./rocketmq').then(({ createRocketMqForwarder }) => createRocketMqForwarder(config, logger));
    return loaded;
  };
  return {
    publish: async (record) => (await load()).publish(record),
    close: async () => {
      if (loaded !== undefined) await (await loaded).close();
    },
  };
}

/** Resolves with `promise`, or with `fallback` once `ms` have passed (the promise keeps running). */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
