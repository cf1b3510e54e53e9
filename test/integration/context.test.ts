// GET /events/{id}/context and GET /events?include=headline against the embedded DynamoDB, with
// changes recorded through the confgo and devops functions and alerts through the grafana function.
// Every response is held against openapi.json by invoke.

import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, SECRETS } from '../support/config';
import { useFunctions } from '../support/functions';
import { invoke, signStandard } from '../support/http';

const { handlers } = useFunctions({ clearEach: false });
const AUTH = { authorization: `Bearer ${API_TOKEN}` };
const HOUR = 3600;
/** The alert fires here; every other time is relative to it. */
const FIRED = Math.floor(Date.now() / 1000) - 3 * HOUR;

async function change(source: 'confgo' | 'devops', body: Record<string, unknown>): Promise<number> {
  const text = JSON.stringify(body);
  const response = await invoke(handlers[source], {
    path: `/webhooks/${source}`,
    body: text,
    headers: signStandard(SECRETS[source], text),
  });
  expect(response.status).toBe(202);
  return (response.body as { events: { id: number }[] }).events[0]?.id ?? 0;
}

async function alert(app: string, env: string, at: number, name: string): Promise<number> {
  const text = JSON.stringify({
    version: '4',
    receiver: 'oncall',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: name, app_name: app, env },
        annotations: { summary: `p99 above 2 s on ${app}` },
        startsAt: new Date(at * 1000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: `${name}-${app}-${at}`,
      },
    ],
  });
  const now = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', SECRETS.grafana).update(`${now}:${text}`).digest('hex');
  const response = await invoke(handlers.grafana, {
    path: '/webhooks/grafana',
    body: text,
    headers: {
      'content-type': 'application/json',
      'x-grafana-alerting-signature': signature,
      'x-grafana-alerting-timestamp': String(now),
    },
  });
  expect(response.status).toBe(202);
  return (response.body as { events: { id: number }[] }).events[0]?.id ?? 0;
}

interface Entry {
  record: { id: number; operation: string; create_time: number };
  headline: string;
}
interface ContextBody {
  event: Entry;
  before: Entry[];
  after: Entry[];
}

function context(id: number, query: Record<string, string> = {}) {
  return invoke(handlers.events, {
    method: 'GET',
    path: `/events/${id}/context`,
    routeKey: 'GET /events/{id}/context',
    pathParameters: { id: String(id) },
    query,
    headers: AUTH,
  });
}

const ids = (entries: Entry[]) => entries.map((entry) => entry.record.id);

const at: Record<string, number> = {};

beforeAll(async () => {
  const publish = (app: string, env: string, time: number, file: string) =>
    change('confgo', {
      app_name: app,
      env,
      operation: 'confgo_file_publish',
      create_time: time,
      metadata: { file_path: `/etc/${app}/${file}`, configuration_history_id: 7 },
    });
  at.longBefore = await publish('api-gw', 'prod', FIRED - 3 * HOUR, 'old.toml');
  at.deploy = await change('devops', {
    app_name: 'api-gw',
    env: 'prod',
    host_name: ['gw-1', 'gw-2'],
    operation: 'devops_deploy',
    create_time: FIRED - HOUR,
    metadata: { version: 'v2.3.0' },
  });
  at.stagingPublish = await publish('api-gw', 'staging', FIRED - 30 * 60, 'rate.toml');
  at.otherApp = await publish('billing', 'prod', FIRED - 10 * 60, 'billing.toml');
  at.alert = await alert('api-gw', 'prod', FIRED, 'HighLatency');
  at.laterAlert = await alert('api-gw', 'prod', FIRED + 30 * 60, 'ErrorBudgetBurn');
  at.otherAlert = await alert('billing', 'prod', FIRED + 60, 'Other');
  at.tooLateAlert = await alert('api-gw', 'prod', FIRED - HOUR + 2 * HOUR, 'TooLate');
});

describe('GET /events/{id}/context', () => {
  it('lists, for an alert, the changes of its app in the 2 hours before it, newest first, with headlines', async () => {
    const response = await context(at.alert as number);
    expect(response.status).toBe(200);
    const body = response.body as ContextBody;
    expect(body.event.record.id).toBe(at.alert);
    expect(body.event.headline).toBe('firing · HighLatency · p99 above 2 s on api-gw');
    // The publish 3 hours before and the one of another app are not there; nor is any alert.
    expect(ids(body.before)).toEqual([at.stagingPublish, at.deploy]);
    expect(body.before.map((entry) => entry.headline)).toEqual([
      'rate.toml published · history #7',
      'deployed v2.3.0 to prod on gw-1, gw-2',
    ]);
    expect(body.after).toEqual([]);
  });

  it('keeps to the event’s env with env=same, and widens the window with before_seconds', async () => {
    const same = (await context(at.alert as number, { env: 'same' })).body as ContextBody;
    expect(ids(same.before)).toEqual([at.deploy]);
    const wide = (await context(at.alert as number, { before_seconds: String(4 * HOUR) })).body as ContextBody;
    expect(ids(wide.before)).toEqual([at.stagingPublish, at.deploy, at.longBefore]);
  });

  it('lists, for a change, the alerts of its app in the hour after it', async () => {
    const body = (await context(at.deploy as number)).body as ContextBody;
    // The alert 2 hours after the deploy is outside the hour; the other app's alert is not its app's.
    expect(ids(body.after)).toEqual([at.alert]);
    // The publish exactly 2 hours before the deploy: the window's bounds are inclusive.
    expect(ids(body.before)).toEqual([at.longBefore]);
    const wider = (await context(at.deploy as number, { after_seconds: String(3 * HOUR) })).body as ContextBody;
    expect(ids(wider.after)).toEqual([at.tooLateAlert, at.laterAlert, at.alert]);
  });

  it('keeps the record exactly as GET /events/{id} returns it', async () => {
    const one = await invoke(handlers.events, {
      method: 'GET',
      path: `/events/${at.deploy}`,
      routeKey: 'GET /events/{id}',
      pathParameters: { id: String(at.deploy) },
      headers: AUTH,
    });
    const body = (await context(at.alert as number)).body as ContextBody;
    expect(body.before[1]?.record).toEqual(one.body);
  });

  it('answers 404 for an unknown event and 400 for a window over 24 hours or an unknown parameter', async () => {
    expect((await context(123)).status).toBe(404);
    expect((await context(at.alert as number, { before_seconds: String(25 * HOUR) })).status).toBe(400);
    expect((await context(at.alert as number, { env: 'prod' })).status).toBe(400);
    expect((await context(at.alert as number, { window: '1' })).status).toBe(400);
  });
});

describe('GET /events?include=headline', () => {
  const list = (query: Record<string, string>) =>
    invoke(handlers.events, { method: 'GET', path: '/events', query, headers: AUTH });

  it('gives each event’s headline beside the unchanged records', async () => {
    const plain = await list({ app_name: 'api-gw', source: 'devops' });
    const withHeadlines = await list({ app_name: 'api-gw', source: 'devops', include: 'headline' });
    expect(withHeadlines.status).toBe(200);
    const body = withHeadlines.body as { events: unknown[]; headlines: Record<string, string> };
    expect(body.events).toEqual((plain.body as { events: unknown[] }).events);
    expect(body.headlines).toEqual({ [String(at.deploy)]: 'deployed v2.3.0 to prod on gw-1, gw-2' });
    expect(Object.keys(plain.body as object)).toEqual(['events', 'next_cursor']);
  });

  it('refuses anything else to include', async () => {
    expect((await list({ app_name: 'api-gw', include: 'everything' })).status).toBe(400);
  });
});
