// Stopping `npm start` by signal, as a terminal (SIGINT) or a process manager (SIGTERM) does: sent to
// the tsx process that runs scripts/start.ts, everything it started stops, the state file says so,
// and one line tells.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type InstanceState, isAlive, readState } from '../../scripts/lib/instance';
import { freePort } from '../../scripts/lib/net';
import { cleanEnv, ROOT } from '../support/local-start';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const started: { kill(signal: NodeJS.Signals): boolean }[] = [];
const dataDirs: string[] = [];
afterAll(() => {
  // What a failed test left: tsx, and the instance it started (which stops its own children).
  for (const child of started) child.kill('SIGKILL');
  for (const dataDir of dataDirs) {
    const state = readState(dataDir);
    if (state !== undefined && isAlive(state.pid)) process.kill(state.pid, 'SIGTERM');
  }
});

/** Resolves true when something accepts a connection on the port, false when it is refused. */
function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

describe('npm start stopped by a signal', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops the routes and DynamoDB, marks instance.json stopped and says so once`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `junoevent-${signal}-`));
      const [port, dynamoPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
      dataDirs.push(dataDir);
      const start = spawn(process.execPath, [TSX, 'scripts/start.ts'], {
        cwd: ROOT,
        env: cleanEnv({
          PORT: String(port),
          DYNAMODB_PORT: String(dynamoPort),
          LAMBDA_PORT: String(lambdaPort),
          JUNOEVENT_DATA_DIR: dataDir,
          POWERTOOLS_LOG_LEVEL: 'WARN',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      started.push(start);
      let output = '';
      start.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      start.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((done) => start.once('exit', (code) => done(code)));
      const deadline = Date.now() + 90_000;
      while (!output.includes('Ctrl-C stops everything.')) {
        if (start.exitCode !== null) throw new Error(`npm start exited with ${start.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
        await new Promise((done) => setTimeout(done, 100));
      }
      const running: InstanceState = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'));
      expect(running.status).toBe('running');
      const shown = output.length;

      start.kill(signal);
      expect(await exited).toBe(0);
      const after = output.slice(shown).split('\n').filter(Boolean);
      expect(after.filter((line) => line.startsWith('junoevent stopped'))).toEqual([
        `junoevent stopped (${signal}): serverless-offline and the embedded DynamoDB are down, ${join(dataDir, 'instance.json')} says stopped`,
      ]);
      const state: InstanceState = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'));
      expect(state).toMatchObject({ status: 'stopped', pid: running.pid });
      expect(() => process.kill(running.pid, 0)).toThrow();
      expect(await listening(port)).toBe(false);
      expect(await listening(lambdaPort)).toBe(false);
      expect(await listening(dynamoPort)).toBe(false);
    }, 150_000);
  }
});
