// Every metric junoevent emits: its name, unit and dimensions, with the values each dimension may take.
// The emitting code can only name what is here (the types below), and the stack's alarms and dashboard
// are checked against the same table (test/integration/package.test.ts), so neither can watch a metric
// that is never written. Dimensions are few and of few values: every distinct set is a billed metric.

import { SOURCES } from '../event/catalog';

/** The CloudWatch namespace of every metric. */
export const NAMESPACE = 'junoevent';

/** Carried by every document besides a metric's own dimensions: each stage's alarms watch only their stage. */
export const COMMON_DIMENSIONS = ['stage'] as const;

/** A dimension whose values are the code's own machine codes (a fixed set in the source), not outside data. */
export const MACHINE_CODE = 'machine code';

export const HTTP_FUNCTIONS = ['confgo', 'devops', 'grafana', 'git', 'events', 'page'] as const;
export const PUBLISHING_FUNCTIONS = ['confgo', 'devops', 'grafana', 'git', 'redrive', 'replay'] as const;
/** Functions that read credentials from a secret at run time. */
export const SECRET_FUNCTIONS = ['confgo', 'devops', 'grafana', 'git', 'events', 'replay'] as const;

/**
 * How a request ended: `accepted` (a new event stored), `duplicate` (every event a redelivery),
 * `ignored` (a delivery of a kind not recorded), `answered` (a read), `unauthorized` (401),
 * `refused` (any other 4xx), `failed` (5xx).
 */
export const REQUEST_OUTCOMES = [
  'accepted',
  'duplicate',
  'ignored',
  'answered',
  'unauthorized',
  'refused',
  'failed',
] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

type Unit = 'Count' | 'Milliseconds' | 'Seconds';
export type Domain = readonly string[] | typeof MACHINE_CODE;

export interface MetricDefinition {
  unit: Unit;
  /** What one value is. */
  description: string;
  /** Each dimension and the values it takes. */
  dimensions: Readonly<Record<string, Domain>>;
}

export const METRICS = {
  Requests: {
    unit: 'Count',
    description: 'HTTP requests answered, by function and outcome',
    dimensions: { function: HTTP_FUNCTIONS, outcome: REQUEST_OUTCOMES },
  },
  RequestErrors: {
    unit: 'Count',
    description: 'HTTP requests refused (4xx) or failed (5xx), by function and the error code of the answer',
    dimensions: { function: HTTP_FUNCTIONS, error_code: MACHINE_CODE },
  },
  Events: {
    unit: 'Count',
    description: 'Events a webhook delivered: stored as new, or recognised as a redelivery of a stored one',
    dimensions: { source: SOURCES, outcome: ['stored', 'duplicate'] },
  },
  Publishes: {
    unit: 'Count',
    description: 'Messages sent to RocketMQ, by the function that sent them and whether the broker took them',
    dimensions: { function: PUBLISHING_FUNCTIONS, outcome: ['succeeded', 'failed'] },
  },
  PublishLatency: {
    unit: 'Milliseconds',
    description: 'Time of one publish, until the broker answered or the send failed',
    dimensions: { function: PUBLISHING_FUNCTIONS },
  },
  PendingEvents: {
    unit: 'Count',
    description: 'Events stored but not yet published, counted by the redrive after each run',
    dimensions: {},
  },
  OldestPendingAgeSeconds: {
    unit: 'Seconds',
    description: 'Age of the oldest event not yet published (0 when none is), after each redrive run',
    dimensions: {},
  },
  RedriveRuns: {
    unit: 'Count',
    description: 'Redrive runs that finished (including those skipped because publishing is off)',
    dimensions: {},
  },
  ReplayEvents: {
    unit: 'Count',
    description: 'Events a replay run published again, or counted in a dry run',
    dimensions: { outcome: ['published', 'counted'] },
  },
  SecretReadFailures: {
    unit: 'Count',
    description: "Reads of a function's secret that failed (unreachable, missing, or not the expected JSON)",
    dimensions: { function: SECRET_FUNCTIONS },
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

type ValueOf<D> = D extends readonly (infer V)[] ? V : string;

/** The dimensions a metric is emitted with, each one of its allowed values. */
export type DimensionsOf<N extends MetricName> = {
  -readonly [K in keyof (typeof METRICS)[N]['dimensions']]: ValueOf<(typeof METRICS)[N]['dimensions'][K]>;
};

/** Where metrics go. The protocols depend on this alone; tests pass one that records. */
export interface MetricsSink {
  /** Adds one value; counts of the same metric and dimensions are summed until the flush. */
  add<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value: number): void;
  /** Writes what was added since the last flush; once per invocation. */
  flush(): void;
}

/** A sink that drops everything: for callers that do not report (scripts, protocol tests). */
export const NO_METRICS: MetricsSink = {
  add: () => undefined,
  flush: () => undefined,
};
