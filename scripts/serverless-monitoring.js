// The stack's alarms and its dashboard, per stage, thresholds from the stage's params. Custom metrics
// are those of shared/metrics/catalogue.ts (namespace junoevent, each with the `stage` dimension);
// test/integration/package.test.ts checks that every alarm and every dashboard widget watches a metric
// the code emits, with its exact dimensions. docs/operating-metrics.md says what to do when each fires.

const { ACCESS } = require('./serverless-resources.js');

const NAMESPACE = 'junoevent';
const FUNCTIONS = Object.keys(ACCESS);
const WEBHOOKS = ['confgo', 'devops', 'grafana', 'git'];
const HTTP_FUNCTIONS = [...WEBHOOKS, 'events', 'page'];
const PUBLISHING_FUNCTIONS = FUNCTIONS.filter((name) => ACCESS[name].publishes);
/** Functions that read credentials from a secret at run time. */
const SECRET_FUNCTIONS = FUNCTIONS.filter((name) => ACCESS[name].secret);
const REQUEST_OUTCOMES = ['accepted', 'duplicate', 'ignored', 'answered', 'unauthorized', 'refused', 'failed'];
/** The operations the functions may call on a table: the ones whose throttles and errors matter. */
const operationsOf = (actions) => [...new Set(actions)].map((action) => action.replace(/^dynamodb:/, '')).sort();
/** Each table (its resource) with its operations: the events table (and its indexes), the pending table. */
const TABLE_OPERATIONS = [
  ...operationsOf(
    Object.values(ACCESS).flatMap((access) => [...(access.table ?? []), ...Object.values(access.indexes ?? {}).flat()]),
  ).map((operation) => ({ table: 'AppEventTable', operation })),
  ...operationsOf(Object.values(ACCESS).flatMap((access) => access.pending ?? [])).map((operation) => ({
    table: 'PendingTable',
    operation,
  })),
];
/** Alarms evaluate five-minute periods unless said otherwise. */
const PERIOD = 300;

const capitalized = (name) => name[0].toUpperCase() + name.slice(1);
const functionRef = (name) => ({ Ref: `${capitalized(name)}LambdaFunction` });

/** Turns a param into a number, or fails the packaging with the param's name. */
function numberParam(name, value, { min = 0 } = {}) {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min) {
    throw new Error(`param ${name} must be a number, ${min} or more (got ${JSON.stringify(value)})`);
  }
  return number;
}

const custom = (stage, name, dimensions = {}) => ({
  Namespace: NAMESPACE,
  MetricName: name,
  Dimensions: Object.entries({ ...dimensions, stage }).map(([Name, Value]) => ({ Name, Value })),
});

const metricStat = (id, metric, stat) => ({
  Id: id,
  ReturnData: false,
  MetricStat: { Metric: metric, Period: PERIOD, Stat: stat },
});

function alarm(context, name, description, properties) {
  const actions = context.topicArn ? { AlarmActions: [context.topicArn], OKActions: [context.topicArn] } : {};
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${context.service}-${context.stage}-${name}`,
      AlarmDescription: `${description} See docs/operating-metrics.md, "${name}".`,
      ActionsEnabled: true,
      ...actions,
      ...properties,
    },
  };
}

/** A sum of several metrics, alarmed on above (or at) `threshold`. */
function sumAlarm(context, name, description, metrics, threshold, stat = 'Sum') {
  return alarm(context, name, description, {
    Metrics: [
      ...metrics.map((metric, index) => metricStat(`m${index}`, metric, stat)),
      {
        Id: 'total',
        Expression: `SUM([${metrics.map((_, index) => `m${index}`).join(',')}])`,
        Label: name,
        ReturnData: true,
      },
    ],
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
}

function single(metric, stat, period = PERIOD) {
  return { ...metric, Statistic: stat, Period: period };
}

const lambdaMetric = (name, fn) => ({
  Namespace: 'AWS/Lambda',
  MetricName: name,
  Dimensions: [{ Name: 'FunctionName', Value: functionRef(fn) }],
});

const tableMetric = (name, { table, operation }) => ({
  Namespace: 'AWS/DynamoDB',
  MetricName: name,
  Dimensions: [
    { Name: 'TableName', Value: { Ref: table } },
    { Name: 'Operation', Value: operation },
  ],
});

const apiMetric = (name) => ({
  Namespace: 'AWS/ApiGateway',
  MetricName: name,
  Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
});

/** An alarm on one metric's five-minute sum, at or above `threshold`. */
function countAlarm(context, name, description, metric, threshold) {
  return alarm(context, name, description, {
    ...single(metric, 'Sum'),
    EvaluationPeriods: 1,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
}

/** The backlog's age, failed publishes, and a redrive that stopped finishing runs. */
function publishingAlarms(context, thresholds) {
  const { stage } = context;
  return {
    OldestPendingAlarm: alarm(
      context,
      'oldest-pending',
      'An event has waited longer than the threshold to be published: the broker is down or the redrive cannot keep up.',
      {
        ...single(custom(stage, 'OldestPendingAgeSeconds'), 'Maximum'),
        EvaluationPeriods: 1,
        Threshold: thresholds.oldestPendingSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      },
    ),
    PublishFailuresAlarm: sumAlarm(
      context,
      'publish-failures',
      'Publishes to RocketMQ failed (webhooks, redrive, replay); the events stay pending for the redrive.',
      PUBLISHING_FUNCTIONS.map((fn) => custom(stage, 'Publishes', { function: fn, outcome: 'failed' })),
      thresholds.publishFailures,
    ),
    RedriveStoppedAlarm: alarm(
      context,
      'redrive-stopped',
      'No redrive run has finished for the threshold in minutes: the schedule or the function is broken.',
      {
        ...single(custom(stage, 'RedriveRuns'), 'Sum', 60),
        EvaluationPeriods: thresholds.redriveSilentMinutes,
        DatapointsToAlarm: thresholds.redriveSilentMinutes,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
    ),
  };
}

/** 401s per sender (a secret rotated on one side only) and the HTTP API's share of 5xx answers. */
function requestAlarms(context, thresholds) {
  const resources = {};
  for (const source of WEBHOOKS) {
    resources[`${capitalized(source)}UnauthorizedAlarm`] = countAlarm(
      context,
      `${source}-unauthorized`,
      `Many ${source} deliveries were refused 401: the sender's secret or token differs from ours (rotated on one side only).`,
      custom(context.stage, 'Requests', { function: source, outcome: 'unauthorized' }),
      thresholds.unauthorizedPerSource,
    );
  }
  resources.Http5xxAlarm = alarm(
    context,
    'http-5xx',
    'The share of HTTP API requests answered 5xx is above the threshold (percent).',
    {
      Metrics: [
        metricStat('errors', apiMetric('5xx'), 'Sum'),
        metricStat('requests', apiMetric('Count'), 'Sum'),
        {
          Id: 'rate',
          Expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          Label: '5xx percent',
          ReturnData: true,
        },
      ],
      EvaluationPeriods: 1,
      Threshold: thresholds.http5xxPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  );
  return resources;
}

/** Errors of every function, throttles of the routed ones, and the table's throttles and system errors. */
function awsAlarms(context, thresholds) {
  const resources = {};
  for (const fn of FUNCTIONS) {
    resources[`${capitalized(fn)}ErrorsAlarm`] = countAlarm(
      context,
      `${fn}-errors`,
      `The ${fn} function failed (an invocation error: a crash, a timeout, or out of memory).`,
      lambdaMetric('Errors', fn),
      thresholds.lambdaErrors,
    );
  }
  // The redrive and the replay run one at a time (reserved concurrency 1): a scheduled run that
  // overlaps a long one is throttled by design, and retried. The routed functions must not be.
  for (const fn of HTTP_FUNCTIONS) {
    resources[`${capitalized(fn)}ThrottlesAlarm`] = countAlarm(
      context,
      `${fn}-throttles`,
      `The ${fn} function was throttled: requests beyond its reserved concurrency were refused.`,
      lambdaMetric('Throttles', fn),
      thresholds.lambdaThrottles,
    );
  }
  resources.TableThrottlesAlarm = sumAlarm(
    context,
    'table-throttles',
    'DynamoDB throttled requests to the event table or the pending table.',
    TABLE_OPERATIONS.map((operation) => tableMetric('ThrottledRequests', operation)),
    thresholds.tableThrottles,
  );
  resources.TableSystemErrorsAlarm = sumAlarm(
    context,
    'table-system-errors',
    'DynamoDB answered requests to the event table or the pending table with an internal error (HTTP 500).',
    TABLE_OPERATIONS.map((operation) => tableMetric('SystemErrors', operation)),
    thresholds.tableSystemErrors,
  );
  return resources;
}

/** A dashboard metric line: [namespace, name, dimension, value, …, options]. */
function line(metric, options = {}) {
  return [
    metric.Namespace,
    metric.MetricName,
    ...metric.Dimensions.flatMap(({ Name, Value }) => [Name, typeof Value === 'string' ? Value : `\${${Value.Ref}}`]),
    options,
  ];
}

/** Sums of `metrics` per label, the summed metrics hidden. */
function sums(groups, stat) {
  const lines = [];
  groups.forEach(({ label, metrics }, group) => {
    const ids = metrics.map((_, index) => `g${group}m${index}`);
    lines.push([{ expression: `SUM([${ids.join(',')}])`, label, id: `g${group}` }]);
    metrics.forEach((metric, index) => {
      lines.push(line(metric, { id: ids[index], visible: false, stat }));
    });
  });
  return lines;
}

function graph(title, metrics, { stat = 'Sum', x = 0, y = 0, width = 12, height = 6, right } = {}) {
  return {
    type: 'metric',
    x,
    y,
    width,
    height,
    properties: {
      title,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a reference Fn::Sub fills in at deploy time
      region: '${AWS::Region}',
      view: 'timeSeries',
      stacked: false,
      period: PERIOD,
      stat,
      metrics,
      ...(right ? { yAxis: { right: { label: right, showUnits: false } } } : {}),
    },
  };
}

/** The graphs of junoevent's own metrics: events, requests, publishing, the backlog, runs. */
function junoeventWidgets(stage) {
  const summed = (label, name, functions, dimensions) => ({
    label,
    metrics: functions.map((fn) => custom(stage, name, { function: fn, ...dimensions })),
  });
  return [
    graph(
      'Events by source and outcome',
      WEBHOOKS.flatMap((source) =>
        ['stored', 'duplicate'].map((outcome) =>
          line(custom(stage, 'Events', { source, outcome }), { label: `${source} ${outcome}` }),
        ),
      ),
      { x: 0, y: 0 },
    ),
    graph(
      'Requests by outcome (all HTTP functions)',
      sums(
        REQUEST_OUTCOMES.map((outcome) => summed(outcome, 'Requests', HTTP_FUNCTIONS, { outcome })),
        'Sum',
      ),
      { x: 12, y: 0 },
    ),
    graph(
      'Publishes: succeeded and failed',
      sums(
        ['succeeded', 'failed'].map((outcome) => summed(outcome, 'Publishes', PUBLISHING_FUNCTIONS, { outcome })),
        'Sum',
      ),
      { x: 0, y: 6 },
    ),
    graph(
      'Publish latency (p99, ms)',
      PUBLISHING_FUNCTIONS.map((fn) => line(custom(stage, 'PublishLatency', { function: fn }), { label: fn })),
      { stat: 'p99', x: 12, y: 6 },
    ),
    graph(
      'Backlog: pending events and the oldest one',
      [
        line(custom(stage, 'PendingEvents'), { label: 'pending events', stat: 'Maximum' }),
        line(custom(stage, 'OldestPendingAgeSeconds'), { label: 'oldest (s)', stat: 'Maximum', yAxis: 'right' }),
      ],
      { stat: 'Maximum', x: 0, y: 12, right: 'seconds' },
    ),
    graph(
      'Redrive runs, replayed events, secret read failures',
      [
        line(custom(stage, 'RedriveRuns'), { label: 'redrive runs' }),
        ...['published', 'counted'].map((outcome) =>
          line(custom(stage, 'ReplayEvents', { outcome }), { label: `replay ${outcome}` }),
        ),
        ...sums([summed('secret read failures', 'SecretReadFailures', SECRET_FUNCTIONS, {})], 'Sum'),
      ],
      { x: 12, y: 12 },
    ),
  ];
}

/** The graphs of AWS's metrics of the stack's functions, table and HTTP API. */
function awsWidgets() {
  return [
    graph(
      'Function errors',
      FUNCTIONS.map((fn) => line(lambdaMetric('Errors', fn), { label: fn })),
      { x: 0, y: 18 },
    ),
    graph(
      'Function throttles',
      FUNCTIONS.map((fn) => line(lambdaMetric('Throttles', fn), { label: fn })),
      { x: 12, y: 18 },
    ),
    graph(
      'Table: throttled requests and system errors',
      sums(
        ['ThrottledRequests', 'SystemErrors'].map((name) => ({
          label: name,
          metrics: TABLE_OPERATIONS.map((operation) => tableMetric(name, operation)),
        })),
        'Sum',
      ),
      { x: 0, y: 24 },
    ),
    graph(
      'HTTP API: requests, 4xx, 5xx',
      ['Count', '4xx', '5xx'].map((name) => line(apiMetric(name), { label: name })),
      { x: 12, y: 24 },
    ),
  ];
}

function dashboard(context) {
  const widgets = [...junoeventWidgets(context.stage), ...awsWidgets()];
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `${context.service}-${context.stage}`,
      DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const param = (name) => resolveVariable(`param:${name}`);
  const context = {
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    topicArn: String((await param('alarmTopicArn')) ?? ''),
  };
  if (context.topicArn !== '' && !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/.test(context.topicArn)) {
    throw new Error(`param alarmTopicArn must be an SNS topic ARN, or empty (got ${context.topicArn})`);
  }
  const thresholds = {
    oldestPendingSeconds: numberParam('alarmOldestPendingSeconds', await param('alarmOldestPendingSeconds')),
    publishFailures: numberParam('alarmPublishFailures', await param('alarmPublishFailures'), { min: 1 }),
    redriveSilentMinutes: numberParam('alarmRedriveSilentMinutes', await param('alarmRedriveSilentMinutes'), {
      min: 2,
    }),
    unauthorizedPerSource: numberParam('alarmUnauthorizedPerSource', await param('alarmUnauthorizedPerSource'), {
      min: 1,
    }),
    http5xxPercent: numberParam('alarmHttp5xxPercent', await param('alarmHttp5xxPercent')),
    lambdaErrors: numberParam('alarmLambdaErrors', await param('alarmLambdaErrors'), { min: 1 }),
    lambdaThrottles: numberParam('alarmLambdaThrottles', await param('alarmLambdaThrottles'), { min: 1 }),
    tableThrottles: numberParam('alarmTableThrottles', await param('alarmTableThrottles'), { min: 1 }),
    tableSystemErrors: numberParam('alarmTableSystemErrors', await param('alarmTableSystemErrors'), { min: 1 }),
  };
  return {
    Resources: {
      ...publishingAlarms(context, thresholds),
      ...requestAlarms(context, thresholds),
      ...awsAlarms(context, thresholds),
      Dashboard: dashboard(context),
    },
  };
};
