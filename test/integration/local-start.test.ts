// npm start end to end: the start script, serverless-offline and the embedded DynamoDB, over HTTP
// (each response checked against openapi.json).
// Events recorded before a restart are still there after it; after a stop, the local scripts name
// the address they tried; a state file left by an instance that died is replaced.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InstanceState } from '../../scripts/lib/instance';
import { freePort } from '../../scripts/lib/net';
import { contractFetch } from '../support/contract';
import { signStandard } from '../support/http';
import { killLocal, ROOT, runScript, startLocal } from '../support/local-start';

const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-start-'));
const readState = (): InstanceState => JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'));

afterAll(() => {
  killLocal();
});

describe('npm start', () => {
  it('serves signed webhooks and the read API, stops cleanly on Ctrl-C and keeps events across a restart', async () => {
    const port = await freePort();
    const first = await startLocal({ port, dataDir });
    const { secrets } = first;
    expect(first.output()).toContain(`API token:   ${secrets.apiToken}`);

    const body = JSON.stringify({ app_name: 'start-svc', operation: 'confgo_file_create', metadata: { id: 1 } });
    const posted = await contractFetch(`${first.base}/webhooks/confgo`, {
      method: 'POST',
      headers: signStandard(secrets.secrets.confgo, body),
      body,
    });
    expect(posted.status).toBe(202);
    const accepted = (await posted.json()) as { events: { id: number }[] };
    const id = accepted.events[0]?.id;

    const auth = { authorization: `Bearer ${secrets.apiToken}` };
    const read = await contractFetch(`${first.base}/events/${id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, app_name: 'start-svc', operation_name: '配置创建' });

    const unsigned = await contractFetch(`${first.base}/webhooks/confgo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);

    const running = readState();
    expect(running).toMatchObject({ status: 'running', url: first.base, port, data_dir: dataDir });
    expect(await first.stop()).toBe(0);
    await expect(fetch(`${first.base}/events/${id}`, { headers: auth })).rejects.toThrow();
    expect(readState()).toMatchObject({ status: 'stopped', pid: running.pid, url: first.base });

    // Stopped: the scripts try where it ran, and say so.
    const env = { JUNOEVENT_DATA_DIR: dataDir };
    const send = await runScript('send', ['confgo', 'examples/confgo_file_publish.json'], env);
    expect(send.code).toBe(1);
    expect(send.stderr.trim()).toBe(
      `cannot reach junoevent at ${first.base}/webhooks/confgo (connection refused): the instance recorded in ${join(dataDir, 'instance.json')} stopped at ${readState().stopped_at}: start it with JUNOEVENT_DATA_DIR=${dataDir} npm start`,
    );
    const publishingConfig = join(dataDir, 'publishing.toml');
    writeFileSync(
      publishingConfig,
      readFileSync(join(ROOT, 'junoevent.toml'), 'utf8')
        .replace(/^enable = false.*$/m, 'enable = true')
        .replace('"127.0.0.1:9876"', `"127.0.0.1:${await freePort()}"`),
    );
    const redrive = await runScript('redrive', [], { ...env, JUNOEVENT_CONFIG: publishingConfig });
    expect(redrive.code).toBe(1);
    expect(redrive.stderr).toContain(
      `the redrive could not use DynamoDB at ${first.dynamoEndpoint} (connection refused)`,
    );

    // An instance that died without stopping leaves its state behind: the scripts say so, and the
    // next npm start replaces it.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'instance.json'), JSON.stringify({ ...running, pid: dead }));
    const again = await runScript('send', ['confgo', 'examples/confgo_file_publish.json'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`cannot reach junoevent at ${first.base}/webhooks/confgo (connection refused)`);
    expect(again.stderr).toContain(`is no longer running (pid ${dead} has exited)`);

    const second = await startLocal({ port, dataDir });
    expect(readState()).toMatchObject({ status: 'running', url: second.base });
    expect(readState().pid).not.toBe(dead);
    const list = await contractFetch(`${second.base}/events?app_name=start-svc`, { headers: auth });
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { events: { id: number }[] };
    expect(listed.events.map((event) => event.id)).toEqual([id]);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
