// npm start end to end: the start script, serverless-offline and the embedded DynamoDB, over HTTP.
// Events recorded before a restart are still there after it.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signStandard } from './support/http';
import { freePort } from './support/ports';

const ROOT = resolve(__dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-start-'));
const running: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  output: () => string;
  base: string;
}

async function start(port: number): Promise<Started> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(await freePort()),
      LAMBDA_PORT: String(await freePort()),
      JUNOEVENT_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
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
  return { child, output: () => output, base: `http://127.0.0.1:${port}` };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.kill('SIGINT');
  return exited;
}

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start', () => {
  it('serves signed webhooks and the read API, stops cleanly on Ctrl-C and keeps events across a restart', async () => {
    const port = await freePort();
    const first = await start(port);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8'));
    expect(first.output()).toContain(`API token: ${secrets.apiToken}`);

    const body = JSON.stringify({ app_name: 'start-svc', operation: 'confgo_file_create', metadata: { id: 1 } });
    const posted = await fetch(`${first.base}/webhooks/confgo`, {
      method: 'POST',
      headers: signStandard(secrets.secrets.confgo, body),
      body,
    });
    expect(posted.status).toBe(202);
    const accepted = (await posted.json()) as { events: { id: number }[] };
    const id = accepted.events[0]?.id;

    const auth = { authorization: `Bearer ${secrets.apiToken}` };
    const read = await fetch(`${first.base}/events/${id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, app_name: 'start-svc', operation_name: '配置创建' });

    const unsigned = await fetch(`${first.base}/webhooks/confgo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);

    expect(await stop(first.child)).toBe(0);
    await expect(fetch(`${first.base}/events/${id}`, { headers: auth })).rejects.toThrow();

    const second = await start(port);
    const list = await fetch(`${second.base}/events?app_name=start-svc`, { headers: auth });
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { events: { id: number }[] };
    expect(listed.events.map((event) => event.id)).toEqual([id]);
    expect(await stop(second.child)).toBe(0);
  }, 240_000);
});
