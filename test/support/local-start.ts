// Runs `npm start` (scripts/start.ts) as a child process on free ports, and the other local scripts
// (send, redrive) the way a user runs them, for end-to-end tests.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/lib/net';

export const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const running = new Set<ChildProcess>();

export interface LocalSecretsFile {
  apiToken: string;
  secrets: Record<'confgo' | 'devops' | 'grafana' | 'git' | 'grafanaToken', string>;
}

export interface LocalService {
  base: string;
  port: number;
  dynamoEndpoint: string;
  dataDir: string;
  output: () => string;
  secrets: LocalSecretsFile;
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The environment of a user's shell: none of the variables that point the scripts somewhere. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['PORT', 'DYNAMODB_PORT', 'LAMBDA_PORT', 'JUNOEVENT_DATA_DIR', 'JUNOEVENT_CONFIG', 'INIT_CWD']) {
    delete clean[name];
  }
  return { ...clean, ...env };
}

export async function startLocal(options: {
  port: number;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<LocalService> {
  const dynamoPort = await freePort();
  const child = spawn(process.execPath, [TSX, 'scripts/start.ts'], {
    cwd: ROOT,
    env: cleanEnv({
      PORT: String(options.port),
      DYNAMODB_PORT: String(dynamoPort),
      LAMBDA_PORT: String(await freePort()),
      JUNOEVENT_DATA_DIR: options.dataDir,
      JUNOEVENT_LOG_LEVEL: 'WARN',
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 90_000;
  while (!output.includes('junoevent is running')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  // The banner is written in one piece; wait for its last line.
  while (!output.includes('Ctrl-C stops everything.')) await new Promise((done) => setTimeout(done, 20));
  return {
    base: `http://127.0.0.1:${options.port}`,
    port: options.port,
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    dataDir: options.dataDir,
    output: () => output,
    secrets: JSON.parse(readFileSync(join(options.dataDir, 'local-secrets.json'), 'utf8')),
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGINT');
      return exited;
    },
  };
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to exit. */
  took: number;
}

/** Runs scripts/<name>.ts as `npm run <name>` would (from the repository root), with `env` over a clean shell. */
export function runScript(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [TSX, `scripts/${name}.ts`, ...args],
      { cwd: ROOT, env: cleanEnv(env), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr, took: Date.now() - started });
      },
    );
    running.add(child);
    child.once('exit', () => running.delete(child));
  });
}

/** Kills whatever a failed test left running. */
export function killLocal(): void {
  for (const child of running) child.kill('SIGKILL');
}
