// Real senders at their real sizes, over HTTP through `npm start` (serverless-offline and the
// embedded DynamoDB): notifications of 1,000 and 5,000 alerts, a retry after a partial store, and a
// Durations are printed, not asserted. (The 2,048-commit GitHub push is a unit test: test/unit/shaping.test.ts.)

import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { killLocal, type LocalService, startLocal } from '../support/local-start';
import { storedEvents } from '../support/pipeline';

let service: LocalService;

/**
 * A notification's test waits as long as the grafana function may take (it answers by its 28 s
 * timeout, 503 at worst), and then for the table to be read back: a loaded machine slows both.
 */
const NOTIFICATION_TEST_MS = 60_000;

beforeAll(async () => {
  service = await startLocal({ port: await freePort(), dataDir: mkdtempSync(join(tmpdir(), 'junoevent-limits-')) });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  killLocal();
});

function alert(run: string, n: number) {
  return {
    status: 'firing',
    labels: { alertname: 'DiskFull', app: `app-${n % 5}`, instance: `host-${n}:9100`, run },
    annotations: { summary: `disk ${n} is almost full`, runbook_url: 'https://runbooks.example/disk' },
    startsAt: '2026-11-30T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `https://grafana.example/alerting/grafana/abc/view?n=${n}`,
    fingerprint: createHmac('sha256', run).update(String(n)).digest('hex').slice(0, 16),
    silenceURL: '',
    dashboardURL: '',
    panelURL: '',
    values: null,
    valueString: '',
  };
}

function notification(run: string, count: number) {
  return JSON.stringify({
    receiver: 'platform-webhook',
    status: 'firing',
    orgId: 1,
    alerts: Array.from({ length: count }, (_, n) => alert(run, n)),
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', run },
    commonAnnotations: {},
    externalURL: 'https://grafana.example/',
    version: '1',
    groupKey: `{}/{alertname="DiskFull"}:{alertname="DiskFull"}`,
    truncatedAlerts: 0,
    title: `[FIRING:${count}] DiskFull`,
    state: 'alerting',
    message: '',
  });
}

async function postGrafana(body: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', service.secrets.secrets.grafana).update(`${ts}:${body}`).digest('hex');
  const started = performance.now();
  const response = await fetch(`${service.base}/webhooks/grafana`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-grafana-alerting-signature': signature,
      'x-grafana-alerting-timestamp': ts,
    },
    body,
  });
  const answer = (await response.json()) as { events?: { id: number; duplicate: boolean }[] };
  return { status: response.status, answer, ms: Math.round(performance.now() - started) };
}

async function storedAlerts(run: string) {
  const events = (await storedEvents(service.dynamoEndpoint)).filter((item) => item.source === 'grafana');
  return events.filter((item) => JSON.parse(String(item.metadata)).labels?.run === run);
}

describe('alert notifications at their real sizes', () => {
  it.each([1_000, 5_000])(
    'stores every alert of a notification of %i alerts, once',
    async (count) => {
      const run = `fanout-${count}`;
      const body = notification(run, count);
      const { status, answer, ms } = await postGrafana(body);
      expect(status).toBe(202);
      expect(answer.events).toHaveLength(count);
      const stored = await storedAlerts(run);
      expect(stored).toHaveLength(count);
      expect(new Set(stored.map((item) => JSON.parse(String(item.metadata)).fingerprint)).size).toBe(count);
      const bytesPerAlert = stored.reduce((sum, item) => sum + Buffer.byteLength(String(item.metadata)), 0) / count;
      console.log(
        `limits: ${count} alerts (${Buffer.byteLength(body)} bytes) stored in ${ms} ms over HTTP; metadata ${Math.round(bytesPerAlert)} bytes per alert`,
      );
    },
    NOTIFICATION_TEST_MS,
  );

  it(
    'after a partial store, the sender retry stores every alert exactly once',
    async () => {
      const run = 'partial';
      // What a function stopped midway leaves behind: the first 300 alerts of the notification stored.
      const whole = JSON.parse(notification(run, 1_000));
      const first = await postGrafana(JSON.stringify({ ...whole, alerts: whole.alerts.slice(0, 300) }));
      expect(first.status).toBe(202);
      expect(await storedAlerts(run)).toHaveLength(300);
      const retry = await postGrafana(JSON.stringify(whole));
      expect(retry.status).toBe(202);
      expect(retry.answer.events?.filter((event) => event.duplicate)).toHaveLength(300);
      const stored = await storedAlerts(run);
      expect(stored).toHaveLength(1_000);
      expect(new Set(stored.map((item) => JSON.parse(String(item.metadata)).fingerprint)).size).toBe(1_000);
    },
    NOTIFICATION_TEST_MS,
  );
});
