// Runs `npm start` (scripts/start.ts) as a child process on free ports, for end-to-end tests.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/net';

const ROOT = resolve(__dirname, '..', '..');
const running = new Set<ChildProcess>();

export interface LocalService {
  base: string;
  dynamoEndpoint: string;
  output: () => string;
  secrets: { apiToken: string; secrets: Record<'confgo' | 'devops' | 'grafana' | 'git', string> };
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startLocal(options: {
  port: number;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<LocalService> {
  const dynamoPort = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(options.port),
      DYNAMODB_PORT: String(dynamoPort),
      LAMBDA_PORT: String(await freePort()),
      JUNOEVENT_DATA_DIR: options.dataDir,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...options.env,
    },
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
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    base: `http://127.0.0.1:${options.port}`,
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
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

/** Kills whatever a failed test left running. */
export function killLocal(): void {
  for (const child of running) child.kill('SIGKILL');
}
