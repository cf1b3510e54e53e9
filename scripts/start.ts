// npm start: builds the functions, starts the embedded DynamoDB (data kept in .data/), creates the
// table from serverless.yml, and serves every route through serverless-offline. Ctrl-C stops all.

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../shared/config/config';
import { buildFunctions } from './build';
import { startDynalite } from './dynalite';
import { functionEnvironment, localSettings, portFrom, ROOT } from './local';
import { ensureTable } from './table';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const settings = localSettings();
  const lambdaPort = portFrom(process.env.LAMBDA_PORT, settings.port + 2, 'LAMBDA_PORT');
  const params: Record<string, string> = {
    table: settings.table,
    apiToken: settings.apiToken,
    confgoSecret: settings.secrets.confgo,
    devopsSecret: settings.secrets.devops,
    grafanaSecret: settings.secrets.grafana,
    gitSecret: settings.secrets.git,
  };
  // Fail here, with the config's own message, rather than on the first request.
  loadConfig({ env: { ...process.env, ...functionEnvironment(settings) } });

  await buildFunctions();
  const dynamo = await startDynalite({ port: settings.dynamoPort, path: resolve(settings.dataDir, 'dynamodb') });
  await ensureTable(dynamo.client, settings.table);

  const offline = spawn(
    process.execPath,
    [
      require.resolve('osls/bin/serverless.js'),
      'offline',
      'start',
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(settings.port),
      '--lambdaPort',
      String(lambdaPort),
      '--localEnvironment',
      ...Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SLS_TELEMETRY_DISABLED: '1',
        DYNAMODB_ENDPOINT: dynamo.endpoint,
      },
    },
  );

  offline.stdout.pipe(process.stdout);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (offline.exitCode === null) {
      offline.kill('SIGINT');
      const timer = setTimeout(() => offline.kill('SIGKILL'), 5000);
      await new Promise((done) => offline.once('exit', done));
      clearTimeout(timer);
    }
    await dynamo.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  offline.on('exit', (code) => {
    if (!stopping) {
      console.error(`serverless-offline exited (${code ?? 'signal'}); stopping`);
      void stop(code ?? 1);
    }
  });

  waitForHttp(`http://127.0.0.1:${settings.port}/events`, 60_000).then(
    () => printBanner(settings.port, dynamo.endpoint, settings.apiToken, settings.dataDir),
    (error: unknown) => {
      console.error(String(error));
      void stop(1);
    },
  );
}

/** Resolves once the URL answers at all (any status); rejects after `timeoutMs`. */
async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function printBanner(port: number, dynamoEndpoint: string, token: string, dataDir: string): void {
  const base = `http://localhost:${port}`;
  console.log(
    [
      '',
      'junoevent is running',
      `  POST ${base}/webhooks/confgo   (Standard Webhooks signature)`,
      `  POST ${base}/webhooks/devops   (Standard Webhooks signature)`,
      `  POST ${base}/webhooks/grafana  (Grafana HMAC with timestamp, Bearer or Basic)`,
      `  POST ${base}/webhooks/git      (X-Gitlab-Token or X-Hub-Signature-256)`,
      `  GET  ${base}/events?app_name=…  and  ${base}/events/{id}`,
      `  API token: ${token}`,
      `  Secrets:   ${resolve(dataDir, 'local-secrets.json')}`,
      `  DynamoDB:  ${dynamoEndpoint} (data in ${resolve(dataDir, 'dynamodb')})`,
      '  Send a signed event: npm run send -- confgo examples/confgo_file_publish.json',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
