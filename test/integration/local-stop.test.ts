// npm start as a user runs it, on ports chosen at run time: stopped by a signal, as a terminal
// (SIGINT) or a process manager (SIGTERM) does, sent to the tsx process that runs scripts/start.ts,
// everything it started stops, the state file says so and one line tells; the publishing setup of
// docs/publishing.md starts as written; a credential written in the config file is named once; the
// redrive of events a broker that does not answer left pending exits 1 and names that broker.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type InstanceState, isAlive, readState } from '../../scripts/lib/instance';
import { freePort, listening } from '../../scripts/lib/net';
import { cleanEnv, ROOT, runScript } from '../support/local-start';

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

/** Starts scripts/start.ts as npm start does and resolves once its banner is printed. */
async function launch(name: string, env: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `junoevent-${name}-`));
  dataDirs.push(dataDir);
  const [port, dynamoPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [TSX, 'scripts/start.ts'], {
    cwd: ROOT,
    env: cleanEnv({
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoPort),
      LAMBDA_PORT: String(lambdaPort),
      JUNOEVENT_DATA_DIR: dataDir,
      JUNOEVENT_LOG_LEVEL: 'WARN',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Ctrl-C stops everything.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  const state: InstanceState = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'));
  return { child, output: () => output, exited, dataDir, port, dynamoPort, lambdaPort, state };
}

describe('npm start stopped by a signal', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops the routes and DynamoDB, marks instance.json stopped and says so once`, async () => {
      const { child, output, exited, dataDir, port, dynamoPort, lambdaPort, state: running } = await launch(signal);
      expect(running.status).toBe('running');
      const shown = output().length;

      child.kill(signal);
      expect(await exited).toBe(0);
      const after = output().slice(shown).split('\n').filter(Boolean);
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

describe('the config npm start serves', () => {
  it('JUNOEVENT_CONFIG=examples/junoevent.rocketmq.toml npm start: runs as docs/publishing.md writes it, with the local token', async () => {
    const { child, output, exited, dataDir, state } = await launch('rocketmq', {
      JUNOEVENT_CONFIG: 'examples/junoevent.rocketmq.toml',
    });
    const secrets = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as { apiToken: string };
    expect(state).toMatchObject({ status: 'running', publishing: true, api_token: secrets.apiToken });
    expect(output()).not.toContain('note: npm start uses its local secrets');
    const read = await fetch(`${state.url}/events?source=confgo&limit=1`, {
      headers: { authorization: `Bearer ${state.api_token}` },
    });
    expect(read.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 150_000);

  it('says once which credential written in the config file the local secret replaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junoevent-written-'));
    const configFile = join(dir, 'junoevent.toml');
    writeFileSync(
      configFile,
      readFileSync(join(ROOT, 'junoevent.toml'), 'utf8').replace(
        /^# \[junoevent\.api\].*$/m,
        '[junoevent.api]\ntoken = "written-in-the-file-0123456789"',
      ),
    );
    const { child, output, exited, dataDir, state } = await launch('written', { JUNOEVENT_CONFIG: configFile });
    const notes = output()
      .split('\n')
      .filter((line) => line.startsWith('note: npm start uses its local secrets'));
    expect(notes).toEqual([
      `note: npm start uses its local secrets (${join(dataDir, 'local-secrets.json')}) instead of junoevent.api.token in ${configFile}`,
    ]);
    const refused = await fetch(`${state.url}/events?source=confgo&limit=1`, {
      headers: { authorization: 'Bearer written-in-the-file-0123456789' },
    });
    expect(refused.status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 150_000);
});

describe('npm run redrive with no broker', () => {
  it('reports the events it could not publish, names the broker and npm run broker, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junoevent-nobroker-'));
    const configFile = join(dir, 'publishing.toml');
    const broker = `127.0.0.1:${await freePort()}`;
    writeFileSync(
      configFile,
      readFileSync(join(ROOT, 'junoevent.toml'), 'utf8')
        .replace(/^enable = false.*$/m, 'enable = true')
        .replace('"127.0.0.1:9876"', `"${broker}"`)
        .replace(/^dialTimeout = .*$/m, 'dialTimeout = "1s"'),
    );
    const { child, exited, dataDir } = await launch('nobroker', { JUNOEVENT_CONFIG: configFile });
    const env = { JUNOEVENT_DATA_DIR: dataDir };
    const sent = await runScript('send', ['devops', 'examples/app_node_restart.json'], env);
    expect(sent.stdout).toMatch(/^202 /);

    const result = await runScript('redrive', ['--grace', '0'], env);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as { published: number; failed: number };
    expect(report.published).toBe(0);
    expect(report.failed).toBeGreaterThan(0);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^redrive: (the broker did not answer|\\d+ event\\(s\\) could not be published) at ${broker} \\(the warnings above give the cause\\): start the broker with npm run broker, then run npm run redrive again$`,
      ),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 150_000);
});
