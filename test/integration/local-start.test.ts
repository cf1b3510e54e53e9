// npm start end to end: the start script, serverless-offline and the embedded DynamoDB, over HTTP
// (each response checked against openapi.json). Events recorded before a restart are still there after it.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/net';
import { contractFetch } from '../support/contract';
import { signStandard } from '../support/http';
import { killLocal, startLocal } from '../support/local-start';

const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-start-'));

afterAll(() => {
  killLocal();
});

describe('npm start', () => {
  it('serves signed webhooks and the read API, stops cleanly on Ctrl-C and keeps events across a restart', async () => {
    const port = await freePort();
    const first = await startLocal({ port, dataDir });
    const { secrets } = first;
    expect(first.output()).toContain(`API token: ${secrets.apiToken}`);

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

    expect(await first.stop()).toBe(0);
    await expect(contractFetch(`${first.base}/events/${id}`, { headers: auth })).rejects.toThrow();

    const second = await startLocal({ port, dataDir });
    const list = await contractFetch(`${second.base}/events?app_name=start-svc`, { headers: auth });
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { events: { id: number }[] };
    expect(listed.events.map((event) => event.id)).toEqual([id]);
    expect(await second.stop()).toBe(0);
  }, 240_000);
});
