// Packaging and the packaged template, checked here since no deploy can run here: `osls package`
// from a clean tree (no dist/) builds the code itself; every artifact, unzipped, loads in a fresh
// Node process and answers an API Gateway event against the embedded DynamoDB with credentials read
// at run time; each function's role allows exactly what the permission table of docs/deploy.md says; the VPC
// access policy and the gateway endpoint appear only with network=vpc; no secret is in the template.

import { execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { SECRETS } from '../support/config';
import { startTestTable, type TestTable } from '../support/dynamo';
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
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        JUNOEVENT_TABLE: 'appevent',
        JUNOEVENT_FUNCTION_TIMEOUT: '15',
        DYNAMODB_ENDPOINT: table.endpoint,
        ...env,
      },
    });
    return JSON.parse(stdout);
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
