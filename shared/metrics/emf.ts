// The metrics sink of the functions: CloudWatch embedded metric format (EMF) documents, written as
// one JSON line each to standard output, where Lambda's log delivery hands them to CloudWatch.
// Values are kept until the flush, then written one document per set of dimension values (a document
// carries one set), at most 100 values of a metric per document.
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

import { ConfigError } from '../errors';
import type { Log } from '../logger';
import {
  type DimensionsOf,
  type Domain,
  MACHINE_CODE,
  METRICS,
  type MetricName,
  type MetricsSink,
  NAMESPACE,
} from './catalogue';

/** Values of one metric per document: CloudWatch takes at most 100. */
const VALUES_PER_DOCUMENT = 100;

export interface EmfOptions {
  /** The deployment's stage: the `stage` dimension of every document. */
  stage: string;
  /** Unix milliseconds: the documents' timestamp. */
  now: () => number;
  /** Where each document goes, one JSON line; standard output by default. */
  write?: (line: string) => void;
  /** Where a document that cannot be written is reported. */
  logger: Log;
}

/** The stage a deployed function belongs to (JUNOEVENT_STAGE, set by the stack): the `stage` dimension of its metrics. */
export function stageFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const stage = env.JUNOEVENT_STAGE ?? 'local';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(stage)) {
    throw new ConfigError(
      `JUNOEVENT_STAGE must be the stage's name, letters, digits and - (at most 64); got ${JSON.stringify(stage)}`,
    );
  }
  return stage;
}

/** The dimensions as the catalogue defines them for `name`, or undefined when one is missing, extra or out of its domain. */
function catalogued<N extends MetricName>(name: N, dimensions: DimensionsOf<N>): Record<string, string> | undefined {
  const domains: Readonly<Record<string, Domain>> = METRICS[name].dimensions;
  const given = Object.entries(dimensions);
  if (given.length !== Object.keys(domains).length) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of given) {
    const domain = domains[key];
    if (domain === undefined || typeof value !== 'string') return undefined;
    if (domain === MACHINE_CODE ? !/^[a-z][a-z0-9_]{0,63}$/.test(value) : !domain.includes(value)) return undefined;
    out[key] = value;
  }
  return out;
}

interface Group {
  dimensions: Record<string, string>;
  values: Map<MetricName, number[]>;
}

export function createEmfMetrics(options: EmfOptions): MetricsSink {
  const { stage, now, logger } = options;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(stage)) {
    throw new RangeError(`the stage must be letters, digits and -, at most 64 (got ${JSON.stringify(stage)})`);
  }
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let groups = new Map<string, Group>();

  return {
    add<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value: number) {
      const all = catalogued(name, dimensions);
      if (all === undefined || !Number.isFinite(value)) {
        logger.error('metric value dropped: not a number, or dimensions other than the catalogue gives it', {
          metric: name,
        });
        return;
      }
      all.stage = stage;
      const key = JSON.stringify(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : 1)));
      let group = groups.get(key);
      if (group === undefined) {
        group = { dimensions: all, values: new Map() };
        groups.set(key, group);
      }
      const values = group.values.get(name) ?? [];
      // A count is summed: one value per document. Anything else (a latency, an age) is kept value by value.
      if (METRICS[name].unit === 'Count' && values.length > 0) values[0] = (values[0] ?? 0) + value;
      else values.push(value);
      group.values.set(name, values);
    },
    // A metric never fails the invocation that reports it: a document that cannot be written is logged.
    flush() {
      const pending = groups;
      groups = new Map();
      const timestamp = now();
      for (const { dimensions, values } of pending.values()) {
        for (let offset = 0; [...values.values()].some((list) => list.length > offset); offset += VALUES_PER_DOCUMENT) {
          try {
            write(JSON.stringify(emfDocument(timestamp, dimensions, values, offset)));
          } catch (error) {
            logger.error('metrics could not be written', {
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
      }
    },
  };
}

/** One EMF document: the values of each metric from `offset` (at most 100), under one set of dimensions. */
function emfDocument(
  timestamp: number,
  dimensions: Record<string, string>,
  values: ReadonlyMap<MetricName, number[]>,
  offset: number,
): Record<string, unknown> {
  const metrics: { Name: MetricName; Unit: string }[] = [];
  const fields: Record<string, number | number[]> = {};
  for (const [name, list] of values) {
    const slice = list.slice(offset, offset + VALUES_PER_DOCUMENT);
    if (slice.length === 0) continue;
    metrics.push({ Name: name, Unit: METRICS[name].unit });
    fields[name] = slice.length === 1 ? (slice[0] as number) : slice;
  }
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: metrics }],
    },
    ...dimensions,
    ...fields,
  };
}
