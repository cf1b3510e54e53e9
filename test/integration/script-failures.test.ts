// What the local scripts say when what they need is not there: the address they tried, the cause and
// the next step, with a non-zero exit. Nothing listens on the ports used here, or a listener counts
// the connections that must not be made.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { ROOT } from '../support/local-start';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const REPOSITORY_CONFIG = readFileSync(join(ROOT, 'junoevent.toml'), 'utf8');

function run(name: string, args: string[], env: NodeJS.ProcessEnv) {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const variable of ['PORT', 'DYNAMODB_PORT', 'LAMBDA_PORT', 'JUNOEVENT_DATA_DIR', 'JUNOEVENT_CONFIG', 'INIT_CWD'])
    delete clean[variable];
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [TSX, `scripts/${name}.ts`, ...args], {
      cwd: ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** A config like the repository's with publishing on, to a Proxy at `addr`. */
function publishingConfig(dir: string, addr: string): string {
  const file = join(dir, 'publishing.toml');
  writeFileSync(
    file,
    REPOSITORY_CONFIG.replace(/^enable = false.*$/m, 'enable = true').replace('"127.0.0.1:9876"', `"${addr}"`),
  );
  return file;
}

describe('no npm start running', () => {
  for (const script of ['redrive', 'replay'] as const) {
    it(`npm run ${script} names the DynamoDB it tried, the cause and npm start, and exits 1`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `junoevent-${script}-`));
      const dynamoPort = await freePort();
      const args = script === 'replay' ? ['--since', '2026-01-01T00:00:00Z', '--dry-run'] : [];
      const result = await run(script, args, {
        JUNOEVENT_DATA_DIR: dataDir,
        DYNAMODB_PORT: String(dynamoPort),
        JUNOEVENT_CONFIG: publishingConfig(dataDir, `127.0.0.1:${await freePort()}`),
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
        `the ${script} could not use DynamoDB at http://127.0.0.1:${dynamoPort} (connection refused): no instance is recorded in ${join(dataDir, 'instance.json')}: start one with JUNOEVENT_DATA_DIR=${dataDir} npm start (or set PORT, or JUNOEVENT_DATA_DIR to its data folder)`,
      );
    }, 60_000);
  }
});

describe('npm run tail', () => {
  it('with publishing off says so, with the next step, and exits 1 without connecting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-tail-'));
    let connections = 0;
    const proxy = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    const port = await freePort();
    await new Promise<void>((done) => proxy.listen(port, '127.0.0.1', done));
    try {
      const result = await run('tail', ['--addr', `127.0.0.1:${port}`], { JUNOEVENT_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `tail: publishing is off in ${join(ROOT, 'junoevent.toml')} (enable = false): junoevent sends nothing to the topic. Set enable = true there, or run JUNOEVENT_CONFIG=examples/junoevent.rocketmq.toml npm start, with npm run broker\n`,
      );
      expect(connections).toBe(0);
    } finally {
      proxy.close();
    }
  }, 30_000);

  it('with publishing on and no broker names the Proxy it tried and npm run broker, and exits 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-tail-'));
    const addr = `127.0.0.1:${await freePort()}`;
    const result = await run('tail', [], {
      JUNOEVENT_DATA_DIR: dataDir,
      JUNOEVENT_CONFIG: publishingConfig(dataDir, addr),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^tail: cannot subscribe to juno_test_job at ${addr} \\(.+\\): start the broker with npm run broker$`),
    );
  }, 60_000);
});
