// The [junoevent.rocketmq] section, exactly as Juno writes it.

import { FieldError } from '../errors';
import type { ObjectReader } from '../json';
import { parseDuration } from './duration';
import type { RocketMqConfig } from './types';

export function readRocketMq(section: ObjectReader | undefined, functionTimeoutMs: number): RocketMqConfig {
  section?.onlyKeys(['enable', 'addr', 'topic', 'group', 'retry', 'dialTimeout']);
  const at = (key: string) => section?.at(key) ?? `junoevent.rocketmq.${key}`;
  const enable = section?.optionalBoolean('enable') ?? false;
  const addr = section?.optionalStringArray('addr', { nonEmpty: true, max: 255 }) ?? [];
  const topic = section?.optionalString('topic', { max: 127 }) ?? '';
  const group = section?.optionalString('group', { max: 255 }) ?? '';
  const retry = section?.optionalInteger('retry', { min: 0, max: 10 }) ?? 3;
  const dialTimeoutText = section?.optionalString('dialTimeout') ?? '3s';
  const dialTimeoutMs = parseDuration(dialTimeoutText);
  if (dialTimeoutMs === undefined) {
    throw new FieldError(at('dialTimeout'), 'a duration such as "500ms", "3s" or "1m"', dialTimeoutText);
  }
  if (enable) {
    if (addr.length === 0)
      throw new FieldError(at('addr'), 'one or more RocketMQ 5 Proxy endpoints such as ["127.0.0.1:8081"]');
    for (const [index, endpoint] of addr.entries()) {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(endpoint);
      if (!match)
        throw new FieldError(
          `${at('addr')}.${index}`,
          'host:port of a RocketMQ 5 Proxy, such as "127.0.0.1:8081"',
          endpoint,
        );
      if (match[2] === '9876') {
        throw new FieldError(
          `${at('addr')}.${index}`,
          `a RocketMQ 5 Proxy gRPC endpoint: ${endpoint} is a NameServer port, which the RocketMQ 5 client cannot use; give the Proxy's gRPC port instead, such as "${match[1]}:8081"`,
        );
      }
    }
    if (!/^[A-Za-z0-9%_|-]{1,127}$/.test(topic)) {
      throw new FieldError(at('topic'), 'a RocketMQ topic name (letters, digits, %, _, |, -)', topic);
    }
    if (dialTimeoutMs < 1000) {
      throw new FieldError(
        at('dialTimeout'),
        'at least "1s" (the RocketMQ client refuses shorter request timeouts)',
        dialTimeoutText,
      );
    }
    const worstMs = (retry + 1) * dialTimeoutMs;
    if (worstMs >= functionTimeoutMs) {
      throw new FieldError(
        at('retry'),
        `small enough that every attempt fits the function: (retry ${retry} + 1) attempts × dialTimeout ${dialTimeoutText} = ${worstMs / 1000} s, but the function times out after ${functionTimeoutMs / 1000} s; lower retry or dialTimeout, or raise the timeout`,
      );
    }
  }
  return { enable, addr, topic, group, retry, dialTimeoutMs };
}
