// Publishing stored events to the message stream. With rocketmq disabled there is no publisher and
// the RocketMQ client is never loaded; with it enabled, the client module loads on first use (the
// build makes ./rocketmq a bundle of its own, dist/rocketmq.js).

import type { RocketMqConfig } from '../config/types';
import type { Log } from '../logger';
import type { Publisher } from './types';

export function createPublisher(config: RocketMqConfig, logger: Log): Publisher | undefined {
  if (!config.enable) return undefined;
  let loaded: Promise<Publisher> | undefined;
  const load = () => {
    loaded ??= import('./rocketmq').then(({ createRocketMqPublisher }) => createRocketMqPublisher(config, logger));
    return loaded;
  };
  return {
    publish: async (record, options) => (await load()).publish(record, options),
    close: async () => {
      if (loaded !== undefined) await (await loaded).close();
    },
  };
}
