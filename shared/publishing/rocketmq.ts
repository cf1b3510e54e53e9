// The RocketMQ 5 publisher: one producer per container, started lazily, recreated (on the next
// endpoint) after a failure, because gRPC connections go stale while a Lambda is frozen. Built as
// its own bundle (dist/rocketmq.js) and loaded only when publishing is enabled.

import { format } from 'node:util';
import { Producer } from 'rocketmq-client-nodejs';
import type { RocketMqConfig } from '../config/types';
import { PublishError } from '../errors';
import { type AppEvent, recordJson } from '../event/record';
import type { Log } from '../logger';
import { within } from '../within';
import type { Publisher, PublishOptions } from './types';

const TIMED_OUT = Symbol('timed out');

/**
 * Keeps an 'error' listener on every telemetry stream the client opens. The client removes all
 * listeners from a stream it releases but leaves the gRPC call half-open; when the proxy later goes
 * away, that stream emits 'error' with no listener and Node ends the process.
 */
export function guardTelemetryStreams(client: Pick<Producer, 'createTelemetryStream'>): void {
  const open = client.createTelemetryStream.bind(client);
  const ignore = () => undefined;
  client.createTelemetryStream = (endpoints) => {
    const stream = open(endpoints);
    const removeAll = stream.removeAllListeners.bind(stream);
    stream.removeAllListeners = (...names: Parameters<typeof stream.removeAllListeners>) => {
      removeAll(...names);
      return stream.on('error', ignore);
    };
    return stream.on('error', ignore);
  };
}

/**
 * The client's logger: it logs every connection detail at info, so warnings and errors only, with
 * its printf-style placeholders filled in.
 */
function clientLoggerOf(logger: Log) {
  const warn = (...args: unknown[]) => logger.warn('rocketmq client', { detail: format(...args) });
  return { info: () => undefined, debug: () => undefined, warn, error: warn };
}

async function shutdownQuietly(stale: Producer): Promise<void> {
  try {
    await within(stale.shutdown(), 2000, TIMED_OUT);
  } catch {
    // A producer whose broker is gone cannot say goodbye; it is dropped either way.
  }
}

export function createRocketMqPublisher(config: RocketMqConfig, logger: Log): Publisher {
  const attempts = config.retry + 1;
  let endpointIndex = 0;
  let current: Promise<Producer> | undefined;
  const clientLogger = clientLoggerOf(logger);

  async function start(): Promise<Producer> {
    const endpoints = config.addr[endpointIndex % config.addr.length] ?? '';
    const producer = new Producer({
      endpoints,
      namespace: '',
      requestTimeout: config.dialTimeoutMs,
      maxAttempts: attempts,
      logger: clientLogger,
    });
    guardTelemetryStreams(producer);
    const started = await within(producer.startup(), config.dialTimeoutMs, TIMED_OUT);
    if (started === TIMED_OUT) {
      void shutdownQuietly(producer);
      throw new PublishError(`the producer did not start within ${config.dialTimeoutMs} ms (${endpoints})`);
    }
    return producer;
  }

  function producer(): Promise<Producer> {
    if (current === undefined) {
      const starting = start();
      current = starting;
      starting.catch(() => {
        if (current === starting) current = undefined;
      });
    }
    return current;
  }

  /** Drops a failed producer so the next publish starts a fresh one, on the next endpoint. */
  function reset(failed: Promise<Producer>): void {
    if (current !== failed) return;
    current = undefined;
    endpointIndex += 1;
    failed.then(shutdownQuietly, () => undefined);
  }

  return {
    async publish(record: AppEvent, options: PublishOptions = {}) {
      const using = producer();
      const properties = new Map(Object.entries(options.properties ?? {}));
      if (config.group) properties.set('producerGroup', config.group);
      try {
        const ready = await using;
        const sending = ready.send({
          topic: config.topic,
          tag: record.operation,
          keys: [String(record.id)],
          body: Buffer.from(recordJson(record)),
          ...(properties.size > 0 ? { properties } : {}),
        });
        const sent = await within(sending, attempts * config.dialTimeoutMs + 500, TIMED_OUT);
        if (sent === TIMED_OUT) throw new PublishError(`no answer within ${attempts} × ${config.dialTimeoutMs} ms`);
      } catch (error) {
        reset(using);
        if (error instanceof PublishError) throw error;
        throw new PublishError(`publishing event ${record.id} failed`, { cause: error });
      }
    },
    async close() {
      const closing = current;
      current = undefined;
      if (closing !== undefined) await closing.then(shutdownQuietly, () => undefined);
    },
  };
}
