// npm start: builds the functions, starts the embedded DynamoDB (data kept in .data/), creates the
// table from serverless.yml, and serves every route through serverless-offline. Ctrl-C stops all.
//
// Before anything starts: an instance already running on the same data folder is reported (and left
// alone), the config is validated, and the three ports are checked. The instance records itself in
// <data folder>/instance.json for the other local scripts. The functions read a copy of the config
// taken when it was last valid; saving the file restarts them with the new version, and an invalid
// edit is reported and not used.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseConfig } from '../shared/config/config';
import type { Config } from '../shared/config/types';
import { banner, brokerAnswers, publishingLine } from './lib/banner';
import { buildFunctions } from './lib/bundle';
import { startDynalite } from './lib/dynalite';
import {
  claimState,
  displayPath,
  type InstanceState,
  releaseState,
  runningInstance,
  stateFile,
  updateState,
} from './lib/instance';
import {
  functionEnvironment,
  type LocalSettings,
  localSettings,
  privateFolder,
  ROOT,
  replacedCredentials,
  supportedNode,
  withLocalSecrets,
  writeFunctionSecrets,
  writePrivateFile,
} from './lib/local';
import { bindError } from './lib/net';
import { OfflineOutput } from './lib/offline-output';
import { ensureTable } from './lib/table';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** How long the routes may take to answer after serverless-offline starts. */
const READY_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  if (!supportedNode(process.version)) {
    throw new Error(`junoevent needs Node.js ^20.19 or >=22.12 (package.json "engines"); this is ${process.version}`);
  }
  const settings = localSettings();
  const already = runningInstance(settings.dataDir);
  if (already !== undefined) throw alreadyRunning(already);

  const configFile = resolve(process.env.JUNOEVENT_CONFIG ?? 'junoevent.toml');
  const functionEnv = { ...process.env, ...functionEnvironment(settings) };
  // Fail here, with the config's own message, rather than on the first request.
  const configText = readConfigText(configFile);
  const secretSource = writeFunctionSecrets(settings);
  const fileConfig = parseConfig(configText, { file: configFile, env: functionEnv });
  const config = withLocalSecrets(fileConfig, settings);
  const replaced = replacedCredentials(fileConfig, config);
  if (replaced.length > 0) {
    console.log(
      `note: npm start uses its local secrets (${displayPath(settings.secretsFile)}) instead of ${replaced.join(', ')} in ${displayPath(configFile)}`,
    );
  }
  await checkPorts(settings);

  // The copy keeps the file's name, so the functions' messages name it.
  const loadedFile = resolve(settings.dataDir, 'config-in-use', basename(configFile));
  const state: InstanceState = {
    pid: process.pid,
    status: 'starting',
    url: `http://127.0.0.1:${settings.port}`,
    port: settings.port,
    lambda_port: settings.lambdaPort,
    dynamodb_endpoint: `http://127.0.0.1:${settings.dynamoPort}`,
    data_dir: settings.dataDir,
    config: configFile,
    config_loaded: loadedFile,
    secrets_file: settings.secretsFile,
    api_token: config.api.token ?? null,
    publishing: config.rocketmq.enable,
    started_at: new Date().toISOString(),
  };
  const other = claimState(state);
  if (other !== undefined) throw alreadyRunning(other);
  process.on('exit', () => releaseState(settings.dataDir, process.pid));
  // A signal before the instance runs stops what has started so far; LocalInstance takes over after.
  let dynamoStarted: { close(): Promise<void> } | undefined;
  const stopEarly = (signal: NodeJS.Signals) => {
    void (dynamoStarted?.close() ?? Promise.resolve()).finally(() => {
      releaseState(settings.dataDir, process.pid);
      console.log(stoppedLine(signal, settings.dataDir));
      process.exit(0);
    });
  };
  process.once('SIGINT', stopEarly);
  process.once('SIGTERM', stopEarly);
  privateFolder(resolve(loadedFile, '..'));
  writePrivateFile(loadedFile, configText);

  await buildFunctions();
  const dynamo = await startDynalite({
    port: settings.dynamoPort,
    path: privateFolder(resolve(settings.dataDir, 'dynamodb')),
  });
  dynamoStarted = dynamo;
  await ensureTable(dynamo.client, settings.table);
  process.off('SIGINT', stopEarly);
  process.off('SIGTERM', stopEarly);
  const instance = new LocalInstance(
    { settings, state, configFile, functionEnv, loadedFile, secretSource, dynamo },
    { config, configText },
  );
  await instance.start();
}

/** The one line npm start prints when a signal stopped it. */
function stoppedLine(signal: NodeJS.Signals, dataDir: string): string {
  return `junoevent stopped (${signal}): serverless-offline and the embedded DynamoDB are down, ${displayPath(stateFile(dataDir))} says stopped`;
}

interface InstanceParts {
  settings: LocalSettings;
  state: InstanceState;
  configFile: string;
  functionEnv: NodeJS.ProcessEnv;
  loadedFile: string;
  secretSource: string;
  dynamo: { close(): Promise<void> };
}

/**
 * The running instance: serverless-offline over the built functions, restarted with the config each
 * time a valid version is saved, and everything stopped together.
 */
class LocalInstance {
  private readonly output: OfflineOutput;
  private offline: ChildProcess;
  private stopping = false;
  private restarting = false;
  private loadedAt = new Date();
  private seenText: string;
  private reloading: Promise<void> | undefined;
  private again = false;
  private readonly name: string;

  constructor(
    private readonly parts: InstanceParts,
    private loaded: { config: Config; configText: string },
  ) {
    this.output = new OfflineOutput({ publishing: loaded.config.rocketmq.enable });
    this.offline = startOffline(parts.settings, parts.loadedFile, parts.secretSource, this.output);
    this.seenText = loaded.configText;
    this.name = displayPath(parts.configFile);
  }

  async start(): Promise<void> {
    const { state } = this.parts;
    process.on('SIGINT', () => void this.stop(0, 'SIGINT'));
    process.on('SIGTERM', () => void this.stop(0, 'SIGTERM'));
    this.watchExit(this.offline);
    try {
      await waitUntilOurs(state.url, this.loaded.config, this.offline);
    } catch (error) {
      // An exit of serverless-offline has already said why.
      if (!this.stopping) console.error(error instanceof Error ? error.message : error);
      return this.stop(1);
    }
    this.output.ready = true;
    state.status = 'running';
    updateState(state);
    console.log(banner(state, this.loaded.config, await brokerAnswers(this.loaded.config)));
    // Saving the config restarts the functions with it; an invalid version is reported and not used.
    watchFile(this.parts.configFile, { interval: 250 }, () => this.scheduleReload());
  }

  /** Stops serverless-offline and DynamoDB and marks the state stopped; a signal is named in one line. */
  async stop(code: number, signal?: NodeJS.Signals): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    unwatchFile(this.parts.configFile);
    await stopOffline(this.offline);
    await this.parts.dynamo.close();
    releaseState(this.parts.settings.dataDir, process.pid);
    if (signal !== undefined) console.log(stoppedLine(signal, this.parts.settings.dataDir));
    process.exit(code);
  }

  private watchExit(child: ChildProcess): void {
    child.on('exit', (code, signal) => {
      if (this.stopping || this.restarting || child !== this.offline) return;
      const reason =
        offlineFailure(child, this.parts.settings) ?? `serverless-offline exited (${code ?? signal}); stopping`;
      console.error(reason);
      void this.stop(code || 1);
    });
  }

  private scheduleReload(): void {
    if (this.stopping) return;
    if (this.reloading !== undefined) {
      this.again = true;
      return;
    }
    this.reloading = this.reload()
      .catch((error: unknown) => {
        console.error(`reloading ${this.name} failed: ${error instanceof Error ? error.message : error}`);
        void this.stop(1);
      })
      .finally(() => {
        this.reloading = undefined;
        if (this.again) {
          this.again = false;
          this.scheduleReload();
        }
      });
  }

  /** The config's new version, when it differs from the one seen last and is valid. */
  private changedConfig(): { text: string; config: Config } | undefined {
    let text: string;
    try {
      text = readConfigText(this.parts.configFile);
    } catch (error) {
      if (this.seenText !== '') reportInvalid(this.name, error, this.loadedAt);
      this.seenText = '';
      return undefined;
    }
    if (text === this.seenText) return undefined;
    this.seenText = text;
    try {
      const config = parseConfig(text, { file: this.parts.configFile, env: this.parts.functionEnv });
      return { text, config: withLocalSecrets(config, this.parts.settings) };
    } catch (error) {
      reportInvalid(this.name, error, this.loadedAt);
      return undefined;
    }
  }

  private async reload(): Promise<void> {
    const changed = this.changedConfig();
    if (changed === undefined) return;
    const { text, config: next } = changed;
    if (text === this.loaded.configText) {
      console.log(`${this.name} is back to the version the functions use: nothing to reload`);
      return;
    }
    console.log(`${this.name} changed: restarting the functions with it`);
    const { settings, loadedFile, secretSource, state } = this.parts;
    writePrivateFile(loadedFile, text);
    this.output.ready = false;
    this.output.publishing = next.rocketmq.enable;
    this.restarting = true;
    await stopOffline(this.offline);
    if (this.stopping) return;
    this.offline = startOffline(settings, loadedFile, secretSource, this.output);
    this.watchExit(this.offline);
    this.restarting = false;
    await waitUntilOurs(state.url, next, this.offline);
    this.output.ready = true;
    this.loaded = { config: next, configText: text };
    this.loadedAt = new Date();
    Object.assign(state, { api_token: next.api.token ?? null, publishing: next.rocketmq.enable });
    updateState(state);
    const broker = await brokerAnswers(next);
    console.log(`${this.name} reloaded at ${clock(this.loadedAt)}; publishing ${publishingLine(next, broker)}`);
  }
}

/** 13:05:09 */
function clock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`junoevent config ${file} cannot be read: create it or set JUNOEVENT_CONFIG to its path`, {
      cause: error,
    });
  }
}

function reportInvalid(name: string, error: unknown, loadedAt: Date): void {
  console.error(`${name} changed but cannot be used: ${error instanceof Error ? error.message : error}`);
  console.error(`  the functions keep the version loaded at ${clock(loadedAt)}; save a valid file to reload`);
}

function alreadyRunning(state: InstanceState): Error {
  return new Error(
    `junoevent is already running (pid ${state.pid}, ${state.url}) with data in ${displayPath(state.data_dir)}: ` +
      `use that one, or stop it first (Ctrl-C where it runs, or kill -INT ${state.pid}); for a second instance set JUNOEVENT_DATA_DIR and PORT`,
  );
}

/** Each port free before anything starts, or one line naming the port and the variable to change. */
async function checkPorts(settings: LocalSettings): Promise<void> {
  const ports = [
    { variable: 'PORT', port: settings.port, what: 'the HTTP port' },
    { variable: 'LAMBDA_PORT', port: settings.lambdaPort, what: "serverless-offline's Lambda port" },
    { variable: 'DYNAMODB_PORT', port: settings.dynamoPort, what: 'the embedded DynamoDB port' },
  ];
  for (const [index, entry] of ports.entries()) {
    const same = ports.slice(0, index).find((earlier) => earlier.port === entry.port);
    if (same !== undefined) {
      throw new Error(
        `${same.variable} and ${entry.variable} are both ${entry.port}: give ${entry.variable} another port`,
      );
    }
  }
  for (const { variable, port, what } of ports) {
    const error = await bindError(port);
    if (error === undefined) continue;
    const why = error === 'EADDRINUSE' ? 'is already in use by another program' : `cannot be used (${error})`;
    throw new Error(
      `port ${port} (${what}) ${why}: set ${variable} to a free port, for example ${variable}=${suggestion(port)} npm start`,
    );
  }
}

function suggestion(port: number): number {
  return port < 65_000 ? port + 100 : port - 100;
}

function startOffline(
  settings: LocalSettings,
  configFile: string,
  secretSource: string,
  output: OfflineOutput,
): ChildProcess {
  // CORS for the local origin only, never with credentials: without it serverless-offline echoes any
  // Origin with access-control-allow-credentials: true.
  const params: Record<string, string> = {
    table: settings.table,
    secretSource,
    cors: 'local',
    localOrigin: `http://127.0.0.1:${settings.port}`,
  };
  const child = spawn(
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
      String(settings.lambdaPort),
      '--localEnvironment',
      // serverless-offline answers a function it cuts off at its timeout with HTTP 200 (the error as
      // the body), so a sender would take an unstored delivery as accepted. Without that cut-off the
      // function's own deadline answers 503 with Retry-After, 1.5 s before the timeout, as deployed.
      '--noTimeout',
      ...Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...functionEnvironment(settings),
        JUNOEVENT_CONFIG: configFile,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SLS_TELEMETRY_DISABLED: '1',
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${settings.dynamoPort}`,
      },
    },
  );
  const failures: string[] = [];
  failureLines.set(child, failures);
  for (const [stream, sink] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (stream === null) continue;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (/EADDRINUSE|EACCES/.test(line)) failures.push(line);
      if (output.keep(line)) sink.write(`${line}\n`);
    });
  }
  return child;
}

const failureLines = new WeakMap<ChildProcess, string[]>();

/** The one line for a serverless-offline that could not listen. */
function offlineFailure(child: ChildProcess, settings: LocalSettings): string | undefined {
  const lines = failureLines.get(child) ?? [];
  for (const [variable, port] of [
    ['PORT', settings.port],
    ['LAMBDA_PORT', settings.lambdaPort],
  ] as const) {
    if (lines.some((line) => line.includes(`:${port}`) || line.includes(` ${port}`))) {
      return `port ${port} is already in use by another program: set ${variable} to a free port, for example ${variable}=${suggestion(port)} npm start`;
    }
  }
  return undefined;
}

async function stopOffline(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Resolves once our own read API answers: 200 with an event list for our token (another program on
 * the port cannot answer that). Without a token in the config, an answer from the functions is enough.
 */
async function waitUntilOurs(url: string, config: Config, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const token = config.api.token;
  let last = 'nothing answered';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`serverless-offline exited before ${url} answered`);
    }
    try {
      const response = await fetch(`${url}/events?source=confgo&limit=1`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5000),
      });
      const text = await response.text();
      if (isOurAnswer(response.status, text, token !== undefined)) return;
      last = `${response.status} ${text.slice(0, 200)}`;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} did not answer as junoevent within ${READY_TIMEOUT_MS / 1000} s (last answer: ${last})`);
}

function isOurAnswer(status: number, text: string, withToken: boolean): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null) return false;
  if (withToken) return status === 200 && Array.isArray((body as { events?: unknown }).events) && 'next_cursor' in body;
  // Without a token the events function cannot start: our error shape, or the emulator's for a
  // function that failed to load.
  const { error, errorMessage } = body as { error?: { code?: unknown; message?: unknown }; errorMessage?: unknown };
  return (typeof error?.code === 'string' && typeof error.message === 'string') || typeof errorMessage === 'string';
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
