// Packaging and the packaged template, checked here since no deploy can run here: `osls package`
// from a clean tree (no dist/) builds the code itself; every artifact, unzipped, loads in a fresh
// Node process and answers an API Gateway event against the embedded DynamoDB with credentials read
// at run time; each function's role allows exactly what the permission table of docs/deploy.md says; the VPC
// access policy and the gateway endpoint appear only with network=vpc; no secret is in the template;
// the functions write EMF documents the specification accepts, and every alarm and dashboard line
// watches a metric the code (or AWS, for the stack's own resources) emits.

import { execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { MACHINE_CODE, METRICS, NAMESPACE } from '../../shared/metrics/catalogue';
import { SECRETS } from '../support/config';
import { startTestTable, type TestTable } from '../support/dynamo';
import { data, emfErrors } from '../support/emf';
import { httpApiEvent, signStandard } from '../support/http';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
const API_TOKEN = 'packaged-api-token-0123456789';
const REPLAY_KEY = 'packaged-replay-key-0123456789-0123456789';
const FUNCTIONS = ['confgo', 'devops', 'events', 'git', 'grafana', 'page', 'redrive', 'replay'];
/** Functions that take no credentials: the redrive and the static page. */
const WITHOUT_SECRET = ['page', 'redrive'];
const PUBLISHERS = ['confgo', 'devops', 'git', 'grafana', 'redrive', 'replay'];

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

let work: string;
let table: TestTable;
const templates: Record<'none' | 'vpc', Template> = {} as Record<'none' | 'vpc', Template>;
/** The topic the vpc variant's alarms notify (the none variant has none). */
const ALARM_TOPIC = 'arn:aws:sns:us-east-1:123456789012:junoevent-alarms';

/** A copy of the repository as a fresh clone has it: tracked files and new ones, no dist/, no .data/. */
function cleanTree(): string {
  const tree = join(work, 'tree');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT })
    .toString()
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(tree, file)), { recursive: true });
    cpSync(join(ROOT, file), join(tree, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  return tree;
}

async function packageTree(tree: string, out: string, params: string[] = []): Promise<Template> {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
    delete env[name];
  await run(
    process.execPath,
    [join(tree, 'node_modules/osls/bin/serverless.js'), 'package', '--package', out, ...params],
    { cwd: tree, env },
  );
  return JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'junoevent-package-'));
  table = await startTestTable();
  const tree = cleanTree();
  expect(existsSync(join(tree, 'dist'))).toBe(false);
  templates.none = await packageTree(tree, join(work, 'none'));
  templates.vpc = await packageTree(tree, join(work, 'vpc'), [
    ...[
      'network=vpc',
      'subnetIds=subnet-a,subnet-b',
      'securityGroupIds=sg-1',
      'vpcId=vpc-1',
      'routeTableIds=rtb-1',
      `alarmTopicArn=${ALARM_TOPIC}`,
    ].flatMap((param) => ['--param', param]),
  ]);
}, 180_000);

afterAll(async () => {
  await table?.close();
});

const functionsOf = (template: Template) =>
  Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id, resource]) => [id.replace(/LambdaFunction$/, '').toLowerCase(), resource.Properties]),
  );

describe('the packaged artifacts', () => {
  /** The EMF documents the packaged handlers wrote to standard output, each with its function. */
  const emitted: { fn: string; document: Record<string, unknown> }[] = [];

  /** Runs one packaged handler in a fresh Node process, as Lambda would, and returns its answer. */
  async function invokePackaged(
    name: string,
    event: unknown,
    env: NodeJS.ProcessEnv,
  ): Promise<Record<string, unknown>> {
    const dir = join(work, 'unzipped', name);
    if (!existsSync(dir)) execFileSync('python3', ['-m', 'zipfile', '-e', join(work, 'none', `${name}.zip`), dir]);
    const script = `require(${JSON.stringify(join(dir, 'dist', `${name}.js`))}).handler(JSON.parse(process.argv[1]), {
      awsRequestId: 'packaged', getRemainingTimeInMillis: () => 60000 }).then((r) => process.stdout.write(JSON.stringify(r)))`;
    const { stdout } = await run(process.execPath, ['-e', script, JSON.stringify(event)], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        AWS_LAMBDA_FUNCTION_NAME: `junoevent-dev-${name}`,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        JUNOEVENT_LOG_LEVEL: 'SILENT',
        JUNOEVENT_TABLE: 'appevent',
        JUNOEVENT_RETENTION: '0',
        JUNOEVENT_FUNCTION_TIMEOUT: '15',
        JUNOEVENT_STAGE: 'dev',
        DYNAMODB_ENDPOINT: table.endpoint,
        ...env,
      },
    });
    // The answer is the last line; the lines before it are the invocation's metrics (EMF).
    const lines = stdout.split('\n');
    const answer = lines.pop() ?? '';
    for (const line of lines.filter((text) => text !== '')) emitted.push({ fn: name, document: JSON.parse(line) });
    return JSON.parse(answer);
  }

  /** Each function's secret, as it would be in Secrets Manager. */
  function secretFiles(): string {
    const dir = join(work, 'secrets');
    mkdirSync(dir, { recursive: true });
    const secrets = {
      confgo: { secret: SECRETS.confgo },
      devops: { secret: SECRETS.devops },
      grafana: { secret: SECRETS.grafana },
      git: { secret: SECRETS.git },
      events: { token: API_TOKEN },
      replay: { resumeKey: REPLAY_KEY },
    };
    for (const [name, secret] of Object.entries(secrets))
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(secret));
    return dir;
  }

  it('hold the built code: each handler loads from its zip and answers, reading its own secret', async () => {
    const secrets = secretFiles();
    const own = (name: string) => ({ JUNOEVENT_SECRETS: `file:${join(secrets, name)}` });
    const confgoBody = JSON.stringify({ app_name: 'packaged-svc', operation: 'confgo_file_publish' });
    const confgo = await invokePackaged(
      'confgo',
      httpApiEvent({ path: '/webhooks/confgo', body: confgoBody, headers: signStandard(SECRETS.confgo, confgoBody) }),
      own('confgo'),
    );
    expect(confgo.statusCode).toBe(202);
    const id = JSON.parse(String(confgo.body)).events[0].id;

    const devopsBody = JSON.stringify({ app_name: 'packaged-svc', operation: 'devops_deploy' });
    const devops = await invokePackaged(
      'devops',
      httpApiEvent({ path: '/webhooks/devops', body: devopsBody, headers: signStandard(SECRETS.devops, devopsBody) }),
      own('devops'),
    );
    expect(devops.statusCode).toBe(202);

    const now = String(Math.floor(Date.now() / 1000));
    const alert = JSON.stringify({
      version: '4',
      status: 'firing',
      alerts: [
        { status: 'firing', startsAt: new Date().toISOString(), labels: { alertname: 'A', app: 'packaged-svc' } },
      ],
    });
    const grafana = await invokePackaged(
      'grafana',
      httpApiEvent({
        path: '/webhooks/grafana',
        body: alert,
        headers: {
          'content-type': 'application/json',
          'x-grafana-alerting-timestamp': now,
          'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana).update(`${now}:${alert}`).digest('hex'),
        },
      }),
      own('grafana'),
    );
    expect(grafana.statusCode).toBe(202);

    const push = readFileSync(join(ROOT, 'test/fixtures/git/github_push_branch_with_commit.json'), 'utf8');
    const git = await invokePackaged(
      'git',
      httpApiEvent({
        path: '/webhooks/git',
        body: push,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': `sha256=${createHmac('sha256', SECRETS.git).update(push).digest('hex')}`,
        },
      }),
      own('git'),
    );
    expect(git.statusCode).toBe(202);

    const read = await invokePackaged(
      'events',
      httpApiEvent({
        method: 'GET',
        path: `/events/${id}`,
        routeKey: 'GET /events/{id}',
        pathParameters: { id: String(id) },
        headers: { authorization: `Bearer ${API_TOKEN}` },
      }),
      own('events'),
    );
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(String(read.body))).toMatchObject({
      id,
      app_name: 'packaged-svc',
      operation: 'confgo_file_publish',
    });
    expect(await table.events()).toHaveLength(4);

    expect(await invokePackaged('redrive', { source: 'aws.events' }, {})).toEqual({ skipped: true });

    // The replay counts what it would publish (a dry run needs no broker); the page serves its HTML.
    const counted = await invokePackaged(
      'replay',
      { app_name: 'packaged-svc', since: 0, dry_run: true },
      own('replay'),
    );
    const ofApp = (await table.events()).filter((event) => event.app_name === 'packaged-svc');
    expect(ofApp.length).toBeGreaterThan(0);
    expect(counted).toMatchObject({ dry_run: true, count: ofApp.length, done: true });
    const page = await invokePackaged('page', httpApiEvent({ method: 'GET', path: '/', routeKey: 'GET /' }), {});
    expect(page.statusCode).toBe(200);
    expect(String(page.body)).toContain('<html');

    // Another function's secret does not open this one: the read API refuses the confgo secret's holder.
    const wrong = await invokePackaged(
      'events',
      httpApiEvent({
        method: 'GET',
        path: '/events',
        query: { app_name: 'x' },
        headers: { authorization: `Bearer ${SECRETS.confgo}` },
      }),
      own('events'),
    );
    expect(wrong.statusCode).toBe(401);

    // Each function wrote its metrics as EMF documents the specification accepts, for stage dev.
    for (const { document } of emitted) expect(emfErrors(document), JSON.stringify(document)).toEqual([]);
    const seen = emitted.flatMap(({ fn, document }) => data(document).map((datum) => ({ fn, ...datum })));
    const requests = (fn: string, outcome: string) =>
      seen.filter((d) => d.name === 'Requests' && d.dimensions.function === fn && d.dimensions.outcome === outcome)
        .length;
    for (const fn of ['confgo', 'devops', 'grafana', 'git']) {
      expect(requests(fn, 'accepted'), fn).toBe(1);
      expect(
        seen.some((d) => d.name === 'Events' && d.dimensions.source === fn && d.dimensions.outcome === 'stored'),
      ).toBe(true);
    }
    expect(requests('events', 'answered')).toBe(1);
    expect(requests('events', 'unauthorized')).toBe(1);
    expect(requests('page', 'answered')).toBe(1);
    expect(seen.filter((d) => d.name === 'RedriveRuns').map((d) => d.values)).toEqual([[1]]);
    expect(seen.find((d) => d.name === 'ReplayEvents')).toMatchObject({
      dimensions: { outcome: 'counted', stage: 'dev' },
      values: [counted.count],
    });
    for (const datum of seen) expect(datum).toMatchObject({ namespace: 'junoevent', dimensions: { stage: 'dev' } });
  }, 60_000);

  describe('with credentials in Secrets Manager', () => {
    let server: Server;
    let endpoint: string;
    const asked: string[] = [];
    beforeAll(async () => {
      // A stand-in for the Secrets Manager API on loopback (the real SDK talks to it).
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => {
          body += chunk;
        });
        request.on('end', () => {
          const { SecretId } = JSON.parse(body) as { SecretId: string };
          asked.push(`${request.headers['x-amz-target']} ${SecretId}`);
          response.setHeader('content-type', 'application/x-amz-json-1.1');
          response.end(JSON.stringify({ Name: SecretId, SecretString: JSON.stringify({ secret: SECRETS.confgo }) }));
        });
      });
      const port = await freePort();
      await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
      endpoint = `http://127.0.0.1:${port}`;
    });
    afterAll(() => server?.close());

    it('reads the function own secret through the SDK, and answers 503 when the service is unreachable', async () => {
      const body = JSON.stringify({ app_name: 'sm-svc', operation: 'confgo_file_publish' });
      const event = httpApiEvent({ path: '/webhooks/confgo', body, headers: signStandard(SECRETS.confgo, body) });
      const secrets = { JUNOEVENT_SECRETS: 'aws:junoevent/dev/confgo' };
      const answered = await invokePackaged('confgo', event, { ...secrets, SECRETS_MANAGER_ENDPOINT: endpoint });
      expect(answered.statusCode).toBe(202);
      expect(asked).toEqual(['secretsmanager.GetSecretValue junoevent/dev/confgo']);

      const down = await invokePackaged('confgo', event, {
        ...secrets,
        SECRETS_MANAGER_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      });
      expect(down.statusCode).toBe(503);
      expect(JSON.parse(String(down.body)).error.code).toBe('service_unavailable');
      expect(String(down.body)).not.toContain('stack');
    }, 60_000);
  });
});

describe('the packaged template', () => {
  it('renders the functions, routes, schedule and the stage table', () => {
    const resources = templates.none.Resources;
    expect(resources.AppEventTable?.Properties).toMatchObject({
      TableName: 'appevent-dev',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(Object.keys(functionsOf(templates.none)).sort()).toEqual(FUNCTIONS);
    for (const fn of Object.values(functionsOf(templates.none))) expect(fn.Runtime).toBe('nodejs22.x');
    expect(resources.RedriveEventsRuleSchedule1?.Properties.ScheduleExpression).toBe('rate(1 minute)');
    // replay is invoked (osls invoke -f replay), never routed: it has no route below.
    expect(functionsOf(templates.none).replay?.Timeout).toBe(300);

    const routes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual([
      'GET /',
      'GET /app.css',
      'GET /app.js',
      'GET /events',
      'GET /events/{id}',
      'GET /events/{id}/context',
      'GET /openapi.json',
      'GET /status',
      'POST /webhooks/confgo',
      'POST /webhooks/devops',
      'POST /webhooks/git',
      'POST /webhooks/grafana',
    ]);
  });

  it("times out every routed function below the HTTP API's 30 s integration limit, and tells each its timeout", () => {
    const functions = functionsOf(templates.none);
    const routed = new Set(
      Object.values(templates.none.Resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration')
        .map((r) => /"(\w+)LambdaFunction"/.exec(JSON.stringify(r.Properties.IntegrationUri))?.[1]?.toLowerCase()),
    );
    expect([...routed].sort()).toEqual(['confgo', 'devops', 'events', 'git', 'grafana', 'page']);
    for (const [name, fn] of Object.entries(functions)) {
      const timeout = fn.Timeout;
      if (typeof timeout !== 'number') throw new Error(`${name} has no Timeout`);
      if (routed.has(name)) expect(timeout, name).toBeLessThan(30);
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(String(variables.JUNOEVENT_FUNCTION_TIMEOUT), name).toBe(String(timeout));
    }
    expect(functions.grafana?.Timeout).toBe(28);
  });

  it('holds no secret: each function names only where its own secret is', () => {
    const text = JSON.stringify(templates.none);
    expect(text).not.toMatch(/resolve:secretsmanager|whsec_/);
    const functions = functionsOf(templates.none);
    for (const [name, fn] of Object.entries(functions)) {
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).filter((key) => /SECRET|TOKEN|PASSWORD/.test(key))).toEqual(
        WITHOUT_SECRET.includes(name) ? [] : ['JUNOEVENT_SECRETS'],
      );
      if (!WITHOUT_SECRET.includes(name)) expect(variables.JUNOEVENT_SECRETS).toBe(`aws:junoevent/dev/${name}`);
    }
  });

  it('throttles the HTTP API, logs each request as JSON without query strings, and keeps every log group 30 days', () => {
    const stage = templates.none.Resources.HttpApiStage?.Properties as Record<string, Record<string, unknown>>;
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    const format = JSON.parse(String(stage.AccessLogSettings?.Format));
    expect(Object.keys(format)).toEqual(expect.arrayContaining(['requestId', 'ip', 'routeKey', 'status', 'latencyMs']));
    expect(String(stage.AccessLogSettings?.Format)).not.toMatch(/queryString|\$context\.path/);
    const logGroups = Object.values(templates.none.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBe(FUNCTIONS.length + 1);
    for (const group of logGroups) expect(group.Properties.RetentionInDays).toBe(30);
    const concurrency = Object.fromEntries(
      Object.entries(functionsOf(templates.none)).map(([name, fn]) => [name, fn.ReservedConcurrentExecutions]),
    );
    expect(concurrency).toEqual({
      confgo: 20,
      devops: 20,
      grafana: 20,
      git: 20,
      events: 5,
      page: 5,
      redrive: 1,
      replay: 1,
    });
  });

  /** Each function's allowed (action → resource) pairs, read from the template's roles. */
  function effectivePermissions(template: Template): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, fn] of Object.entries(functionsOf(template))) {
      const roleId = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = template.Resources[roleId]?.Properties as {
        Policies: { PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown }[] } }[];
        ManagedPolicyArns?: unknown[];
      };
      const pairs: string[] = [];
      for (const policy of role.Policies) {
        for (const statement of policy.PolicyDocument.Statement) {
          expect(statement.Effect).toBe('Allow');
          for (const action of statement.Action) pairs.push(`${action} → ${resourceName(statement.Resource, name)}`);
        }
      }
      for (const arn of role.ManagedPolicyArns ?? [])
        pairs.push(`managed → ${JSON.stringify(arn).match(/policy\/[^"]+/)?.[0]}`);
      out[name] = pairs.sort();
    }
    return out;
  }

  function resourceName(resource: unknown, fn: string): string {
    const text = JSON.stringify(resource);
    if (text === '{"Fn::GetAtt":["AppEventTable","Arn"]}') return 'table';
    if (text === '{"Fn::GetAtt":["PendingTable","Arn"]}') return 'pending table';
    const index = /"index","(\w+)"/.exec(text);
    if (index) return `index ${index[1]}`;
    if (text.includes(`LogGroup","Arn"`)) {
      expect(text).toContain(`"${fn[0]?.toUpperCase()}${fn.slice(1)}LogGroup"`);
      return 'own log group';
    }
    const secret = /:secret:([^"]+)-\?{6}/.exec(text);
    if (secret) {
      expect(secret[1]).toBe(`junoevent/dev/${fn}`);
      return 'own secret';
    }
    throw new Error(`unexpected resource ${text}`);
  }

  /** The permission table of docs/deploy.md (Permissions), as the same (action → resource) pairs. */
  function documentedPermissions(): { pairs: Record<string, string[]>; vpc: string[] } {
    const page = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const section = page.slice(page.indexOf('### Permissions'));
    const rows = section
      .split('\n')
      .slice(0, 40)
      .filter((line) => /^\| `/.test(line));
    const pairs: Record<string, string[]> = {};
    const vpc: string[] = [];
    for (const row of rows) {
      const [names = '', allowed = '', inVpc = ''] = row.split('|').slice(1, -1);
      const functions = [...names.matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '');
      const list: string[] = [];
      for (const part of allowed.split('<br>')) {
        const [actions = '', resource = ''] = part.split('→');
        for (const action of actions.matchAll(/`([\w:]+)`/g))
          list.push(`${action[1]} → ${resource.trim().replace(/`/g, '')}`);
      }
      for (const fn of functions) {
        pairs[fn] = list.sort();
        if (inVpc.trim().startsWith('yes')) vpc.push(fn);
      }
    }
    return { pairs, vpc };
  }

  it('gives each function only what the documented permission table says, with network=none', () => {
    const expected = documentedPermissions();
    expect(Object.keys(expected.pairs).sort()).toEqual(FUNCTIONS);
    expect(effectivePermissions(templates.none)).toEqual(expected.pairs);
    for (const fn of Object.values(functionsOf(templates.none))) expect(fn.VpcConfig).toBeUndefined();
    expect(templates.none.Resources.DynamoDbGatewayEndpoint).toBeUndefined();
    expect(Object.values(templates.none.Resources).filter((r) => r.Type === 'AWS::IAM::Role')).toHaveLength(
      FUNCTIONS.length,
    );
  });

  it('adds the VPC, its access policy and the gateway endpoint only with network=vpc, only to publishers', () => {
    const expected = documentedPermissions();
    expect(expected.vpc.sort()).toEqual(PUBLISHERS);
    const withVpc = effectivePermissions(templates.vpc);
    for (const name of FUNCTIONS) {
      const vpcPolicy = PUBLISHERS.includes(name)
        ? ['managed → policy/service-role/AWSLambdaVPCAccessExecutionRole']
        : [];
      expect(withVpc[name]).toEqual([...(expected.pairs[name] ?? []), ...vpcPolicy].sort());
      const config = functionsOf(templates.vpc)[name]?.VpcConfig as Record<string, unknown> | undefined;
      if (PUBLISHERS.includes(name)) {
        expect(config).toEqual({
          SubnetIds: { 'Fn::Split': [',', 'subnet-a,subnet-b'] },
          SecurityGroupIds: { 'Fn::Split': [',', 'sg-1'] },
        });
      } else {
        expect(config).toBeUndefined();
      }
    }
    expect(templates.vpc.Resources.DynamoDbGatewayEndpoint?.Properties).toMatchObject({
      VpcId: 'vpc-1',
      RouteTableIds: ['rtb-1'],
    });
  });
});

/** A metric an alarm or a dashboard widget watches: where, namespace, name and dimensions as written. */
interface Watched {
  where: string;
  namespace: string;
  name: string;
  dimensions: Record<string, unknown>;
}

type Metric = { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };

function watchedMetric(where: string, metric: Metric): Watched {
  return {
    where,
    namespace: metric.Namespace,
    name: metric.MetricName,
    dimensions: Object.fromEntries((metric.Dimensions ?? []).map(({ Name, Value }) => [Name, Value])),
  };
}

/** Every metric each alarm of the template watches: its own, or those of its metric math. */
function alarmMetrics(template: Template): Watched[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .flatMap(([id, { Properties: alarm }]) => {
      if (typeof alarm.MetricName === 'string') return [watchedMetric(id, alarm as unknown as Metric)];
      const queries = alarm.Metrics as { MetricStat?: { Metric: Metric } }[];
      expect(queries, id).toBeDefined();
      return queries.flatMap((query) => (query.MetricStat ? [watchedMetric(id, query.MetricStat.Metric)] : []));
    });
}

/**
 * The dashboard's body with its ${…} references resolved to {Ref} (each must name a resource of the
 * template or the region), and every metric line of its widgets (expressions aside).
 */
function dashboardMetrics(template: Template): Watched[] {
  const dashboards = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const sub = String((dashboards[0]?.Properties.DashboardBody as { 'Fn::Sub'?: string } | undefined)?.['Fn::Sub']);
  for (const [, reference = ''] of sub.matchAll(/\$\{([^}]+)\}/g)) {
    expect(reference === 'AWS::Region' || reference in template.Resources, reference).toBe(true);
  }
  const body = JSON.parse(sub.replace(/\$\{([^}]+)\}/g, (_, reference) => `@ref:${reference}`)) as {
    widgets: { properties: { title: string; metrics: unknown[][] } }[];
  };
  return body.widgets.flatMap(({ properties }) =>
    properties.metrics
      .filter((line) => typeof line[0] === 'string')
      .map((line) => {
        const [namespace, name, ...rest] = line;
        const pairs = rest.filter((item) => typeof item === 'string') as string[];
        expect(pairs.length % 2, properties.title).toBe(0);
        const dimensions: Record<string, unknown> = {};
        for (let i = 0; i < pairs.length; i += 2) {
          const value = pairs[i + 1] ?? '';
          dimensions[pairs[i] ?? ''] = value.startsWith('@ref:') ? { Ref: value.slice(5) } : value;
        }
        return { where: properties.title, namespace: String(namespace), name: String(name), dimensions };
      }),
  );
}

/** Why `watched` is not a metric the code or AWS emits for this template, or undefined when it is. */
function notEmitted(watched: Watched, template: Template): string | undefined {
  const { namespace, name, dimensions } = watched;
  const ref = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;
  const keys = Object.keys(dimensions).sort();
  switch (namespace) {
    case NAMESPACE: {
      const definition = (METRICS as Record<string, (typeof METRICS)[keyof typeof METRICS]>)[name];
      if (definition === undefined) return `${name} is not in the catalogue`;
      const expected = [...Object.keys(definition.dimensions), 'stage'].sort();
      if (keys.join() !== expected.join()) return `${name} is emitted with ${expected}, not ${keys}`;
      if (dimensions.stage !== 'dev') return `stage ${String(dimensions.stage)} is not this stack's`;
      for (const [key, domain] of Object.entries(definition.dimensions) as [string, readonly string[] | string][]) {
        const value = dimensions[key];
        if (typeof value !== 'string') return `${key} is not a fixed value`;
        if (domain === MACHINE_CODE ? !/^[a-z][a-z0-9_]*$/.test(value) : !domain.includes(value))
          return `${name} is never emitted with ${key}=${value}`;
      }
      return undefined;
    }
    case 'AWS/Lambda': {
      if (!['Errors', 'Throttles'].includes(name)) return `AWS/Lambda ${name} is not watched here`;
      const fn = ref(dimensions.FunctionName);
      if (keys.join() !== 'FunctionName' || template.Resources[fn ?? '']?.Type !== 'AWS::Lambda::Function')
        return `FunctionName ${JSON.stringify(dimensions.FunctionName)} is not a function of the stack`;
      return undefined;
    }
    case 'AWS/DynamoDB': {
      if (!['ThrottledRequests', 'SystemErrors'].includes(name)) return `AWS/DynamoDB ${name} is not watched here`;
      if (
        keys.join() !== 'Operation,TableName' ||
        !['AppEventTable', 'PendingTable'].includes(ref(dimensions.TableName) ?? '')
      )
        return `${JSON.stringify(dimensions)} is not a table's TableName and Operation`;
      const allowed = Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Role')
        .flatMap((r) => JSON.stringify(r.Properties).match(/dynamodb:\w+/g) ?? [])
        .map((action) => action.slice('dynamodb:'.length));
      if (!allowed.includes(String(dimensions.Operation)))
        return `no function may call ${String(dimensions.Operation)}`;
      return undefined;
    }
    case 'AWS/ApiGateway': {
      if (!['Count', '4xx', '5xx'].includes(name)) return `AWS/ApiGateway ${name} is not an HTTP API metric here`;
      if (keys.join() !== 'ApiId' || ref(dimensions.ApiId) !== 'HttpApi') return 'ApiId is not the stack HTTP API';
      return undefined;
    }
    default:
      return `namespace ${namespace} is not watched here`;
  }
}

describe.each(['none', 'vpc'] as const)('the alarms and the dashboard, with network=%s', (variant) => {
  const has = (all: Watched[], namespace: string, name: string, dimensions: Record<string, unknown> = {}) =>
    all.some(
      (w) =>
        w.namespace === namespace &&
        w.name === name &&
        Object.entries(dimensions).every(([k, v]) => JSON.stringify(w.dimensions[k]) === JSON.stringify(v)),
    );

  it('watch only metrics the code (or AWS, for the stack own resources) emits, with their exact dimensions', () => {
    const template = templates[variant];
    const watched = [...alarmMetrics(template), ...dashboardMetrics(template)];
    expect(watched.length).toBeGreaterThan(50);
    const wrong = watched.flatMap((w) => {
      const why = notEmitted(w, template);
      return why === undefined ? [] : [`${w.where}: ${why}`];
    });
    expect(wrong).toEqual([]);
  });

  it('alarm on the backlog, publishing, the redrive, refusals per sender, 5xx, every function, and the table', () => {
    const template = templates[variant];
    const alarms = alarmMetrics(template);
    expect(has(alarms, 'junoevent', 'OldestPendingAgeSeconds')).toBe(true);
    expect(template.Resources.OldestPendingAlarm?.Properties).toMatchObject({
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(has(alarms, 'junoevent', 'RedriveRuns')).toBe(true);
    expect(template.Resources.RedriveStoppedAlarm?.Properties).toMatchObject({ TreatMissingData: 'breaching' });
    for (const fn of PUBLISHERS) {
      expect(has(alarms, 'junoevent', 'Publishes', { function: fn, outcome: 'failed' }), fn).toBe(true);
    }
    for (const source of ['confgo', 'devops', 'grafana', 'git']) {
      expect(has(alarms, 'junoevent', 'Requests', { function: source, outcome: 'unauthorized' }), source).toBe(true);
    }
    expect(has(alarms, 'AWS/ApiGateway', '5xx')).toBe(true);
    for (const id of Object.keys(template.Resources).filter(
      (key) => template.Resources[key]?.Type === 'AWS::Lambda::Function',
    )) {
      expect(has(alarms, 'AWS/Lambda', 'Errors', { FunctionName: { Ref: id } }), id).toBe(true);
    }
    expect(has(alarms, 'AWS/DynamoDB', 'ThrottledRequests')).toBe(true);
    expect(has(alarms, 'AWS/DynamoDB', 'SystemErrors')).toBe(true);
  });

  it(
    variant === 'vpc' ? 'notify the topic the alarmTopicArn param gives' : 'notify nobody without an alarmTopicArn',
    () => {
      const alarms = Object.values(templates[variant].Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
      for (const { Properties: alarm } of alarms) {
        if (variant === 'vpc') {
          expect(alarm.AlarmActions).toEqual([ALARM_TOPIC]);
          expect(alarm.OKActions).toEqual([ALARM_TOPIC]);
        } else {
          expect(alarm.AlarmActions).toBeUndefined();
        }
      }
    },
  );

  it('chart events by source and outcome, publishing, the backlog, errors and throttles', () => {
    const widgets = dashboardMetrics(templates[variant]);
    for (const source of ['confgo', 'devops', 'grafana', 'git']) {
      expect(has(widgets, 'junoevent', 'Events', { source, outcome: 'stored' }), source).toBe(true);
    }
    for (const name of ['PublishLatency', 'Publishes', 'PendingEvents', 'OldestPendingAgeSeconds']) {
      expect(has(widgets, 'junoevent', name), name).toBe(true);
    }
    expect(has(widgets, 'AWS/Lambda', 'Errors')).toBe(true);
    expect(has(widgets, 'AWS/Lambda', 'Throttles')).toBe(true);
    expect(has(widgets, 'AWS/DynamoDB', 'ThrottledRequests')).toBe(true);
  });
});
