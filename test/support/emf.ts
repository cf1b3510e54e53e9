// The CloudWatch embedded metric format as a JSON schema, written from AWS's public specification
// ("Specification: Embedded metric format", CloudWatch User Guide), and a sink that captures the
// documents the functions' sink writes, as CloudWatch would read them.
//
// The specification in short: the root holds `_aws` with `Timestamp` (milliseconds since the epoch)
// and `CloudWatchMetrics`, an array of directives; each directive has a `Namespace`, `Dimensions` (an
// array of dimension sets, each an array of at most 30 dimension names) and `Metrics` (at most 100
// definitions of `Name`, optional `Unit` and `StorageResolution` 1 or 60). Every name a dimension set
// or a metric definition uses must be a member of the root: a dimension a string, a metric a number
// or an array of at most 100 numbers. Names follow CloudWatch's limits (1–255 characters; a dimension
// value 1–1024).

import Ajv from 'ajv';
import type { Log } from '../../shared/logger';
import { createEmfMetrics } from '../../shared/metrics/emf';

const UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
];

const name = { type: 'string', minLength: 1, maxLength: 255 };

/** The document's structure: the `_aws` metadata and its directives. */
export const EMF_SCHEMA = {
  type: 'object',
  required: ['_aws'],
  properties: {
    _aws: {
      type: 'object',
      required: ['Timestamp', 'CloudWatchMetrics'],
      properties: {
        Timestamp: { type: 'integer', minimum: 0 },
        LogGroupName: { type: 'string' },
        CloudWatchMetrics: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['Namespace', 'Dimensions', 'Metrics'],
            additionalProperties: false,
            properties: {
              Namespace: { ...name, pattern: '^[^:].*$' },
              Dimensions: {
                type: 'array',
                items: { type: 'array', maxItems: 30, items: { ...name, pattern: '^[^:].*$' } },
              },
              Metrics: {
                type: 'array',
                maxItems: 100,
                items: {
                  type: 'object',
                  required: ['Name'],
                  additionalProperties: false,
                  properties: {
                    Name: name,
                    Unit: { enum: UNITS },
                    StorageResolution: { enum: [1, 60] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** What the root must hold for the names a document's directives use: the specification's references. */
function membersSchema(dimensions: readonly string[], metrics: readonly string[]) {
  const value = { type: 'string', minLength: 1, maxLength: 1024 };
  const metric = { oneOf: [{ type: 'number' }, { type: 'array', maxItems: 100, items: { type: 'number' } }] };
  return {
    type: 'object',
    required: [...dimensions, ...metrics],
    properties: {
      ...Object.fromEntries(dimensions.map((key) => [key, value])),
      ...Object.fromEntries(metrics.map((key) => [key, metric])),
    },
  };
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validateStructure = ajv.compile(EMF_SCHEMA);

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

/** The specification's violations in `document` (an empty list when it is a valid EMF document). */
export function emfErrors(document: unknown): string[] {
  if (!validateStructure(document))
    return (validateStructure.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const directives: Directive[] = (document as { _aws: { CloudWatchMetrics: Directive[] } })._aws.CloudWatchMetrics;
  const dimensions = directives.flatMap((d) => d.Dimensions.flat());
  const metrics = directives.flatMap((d) => d.Metrics.map((m) => m.Name));
  const validateMembers = ajv.compile(membersSchema(dimensions, metrics));
  if (validateMembers(document)) return [];
  return (validateMembers.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** One metric value as CloudWatch extracts it: namespace, name, unit, the dimensions of one set, the values. */
export interface Datum {
  namespace: string;
  name: string;
  unit: string | undefined;
  dimensions: Record<string, string>;
  values: number[];
}

/** Every datum of a valid document (one per metric and dimension set). */
export function data(document: Record<string, unknown>): Datum[] {
  const { CloudWatchMetrics } = (document as unknown as { _aws: { CloudWatchMetrics: Directive[] } })._aws;
  return CloudWatchMetrics.flatMap((directive) =>
    directive.Dimensions.flatMap((set) =>
      directive.Metrics.map((metric) => {
        const value = document[metric.Name];
        return {
          namespace: directive.Namespace,
          name: metric.Name,
          unit: metric.Unit,
          dimensions: Object.fromEntries(set.map((key) => [key, String(document[key])])),
          values: Array.isArray(value) ? value.map(Number) : [Number(value)],
        };
      }),
    ),
  );
}

export const quietLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The functions' EMF sink writing into memory; `documents()` parses what it wrote, `data()` reads it. */
export function capturedMetrics(options: { stage?: string; now?: () => number; logger?: Log } = {}) {
  const lines: string[] = [];
  const sink = createEmfMetrics({
    stage: options.stage ?? 'test',
    now: options.now ?? Date.now,
    logger: options.logger ?? quietLog,
    write: (line) => lines.push(line),
  });
  const documents = (): Record<string, unknown>[] => lines.map((line) => JSON.parse(line));
  return {
    sink,
    lines,
    documents,
    data: () => documents().flatMap(data),
  };
}

/** The sum of every value of `name` whose dimensions include `dimensions`. */
export function total(all: readonly Datum[], name: string, dimensions: Record<string, string> = {}): number {
  return all
    .filter((d) => d.name === name && Object.entries(dimensions).every(([key, value]) => d.dimensions[key] === value))
    .reduce((sum, d) => sum + d.values.reduce((a, b) => a + b, 0), 0);
}
