// npm run package: the CloudFormation template is written offline, without AWS credentials.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

describe('npm run package', () => {
  it('renders the functions, routes and the appevent table without credentials', async () => {
    const out = mkdtempSync(join(tmpdir(), 'junoevent-package-'));
    const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
      delete env[name];
    await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/build.ts'], { cwd: ROOT, env });
    await run(process.execPath, [require.resolve('osls/bin/serverless.js'), 'package', '--package', out], {
      cwd: ROOT,
      env,
    });
    const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    const resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = template.Resources;

    const table = resources.AppEventTable;
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      TableName: 'appevent',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });

    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(resources.RedriveEventsRuleSchedule1?.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(functions.map((f) => f.Properties.Handler).sort()).toEqual([
      'dist/confgo.handler',
      'dist/devops.handler',
      'dist/events.handler',
      'dist/git.handler',
      'dist/grafana.handler',
      'dist/page.handler',
      'dist/redrive.handler',
      'dist/replay.handler',
    ]);
    for (const fn of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
    // replay is invoked (osls invoke -f replay), never routed: it has no route below.
    const replay = functions.find((f) => f.Properties.Handler === 'dist/replay.handler');
    expect(replay?.Properties.Timeout).toBe(300);

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
      'GET /openapi.json',
      'POST /webhooks/confgo',
      'POST /webhooks/devops',
      'POST /webhooks/git',
      'POST /webhooks/grafana',
    ]);

    // Secrets are resolved by CloudFormation at deploy time; none is in the template.
    const environment = JSON.stringify(functions[0]?.Properties.Environment);
    expect(environment).toContain('{{resolve:secretsmanager:junoevent/dev:SecretString:confgo}}');
  }, 120_000);
});
