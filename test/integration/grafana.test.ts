// The grafana function with real fixtures, signed with each scheme, against the embedded DynamoDB.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixture, SECRETS } from '../support/config';
import { useFunctions } from '../support/functions';
import { invoke } from '../support/http';

const { table, handlers } = useFunctions();
const { grafana } = handlers;

/** Grafana's HMAC signing with a timestamp header, recomputed independently here. */
function hmacHeaders(body: string, at = Math.floor(Date.now() / 1000), secret: string = SECRETS.grafana) {
  const signature = createHmac('sha256', secret).update(`${at}:${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-grafana-alerting-signature': signature,
    'x-grafana-alerting-timestamp': String(at),
  };
}

function post(body: string, headers: Record<string, string>) {
  return invoke(grafana, { path: '/webhooks/grafana', body, headers });
}

type Accepted = { events: { id: number; operation: string; duplicate: boolean }[] };

async function stored() {
  const events = await table.events();
  return events.sort((a, b) => Number(a.id) - Number(b.id));
}

describe('grafana webhook: formats', () => {
  it('records one event per alert of a Grafana unified notification, identity from labels', async () => {
    const body = fixture('grafana/unified_with_app_labels.json');
    const response = await post(body, hmacHeaders(body));
    expect(response.status).toBe(202);
    expect((response.body as Accepted).events.map((e) => e.operation)).toEqual([
      'grafana_alert_notification',
      'grafana_alert_notification',
    ]);
    const events = await stored();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      app_name: 'user-svc',
      aid: 42,
      env: 'prod',
      zone_code: 'cn-sh-01',
      host_name: 'host-a:9100',
      operator_type: 'openapi',
      user_name: 'My Super Webhook',
      uid: 0,
      operation: 'grafana_alert_notification',
      operation_name: 'Grafana 监控告警',
      source: 'grafana',
      source_name: '监控告警',
      create_time: Math.floor(Date.parse('2021-10-12T09:51:03.157076+02:00') / 1000),
    });
    expect(events[1]?.host_name).toBe('host-b:9100');
    const metadata = JSON.parse(String(events[0]?.metadata));
    expect(metadata).toMatchObject({
      format: 'grafana',
      status: 'firing',
      fingerprint: 'fc476d723f6f00b0',
      startsAt: '2021-10-12T09:51:03.157076+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      labels: { alertname: 'High memory usage', app_name: 'user-svc' },
      annotations: expect.any(Object),
      receiver: 'My Super Webhook',
      groupKey: expect.any(String),
      externalURL: expect.any(String),
      orgId: 1,
      values: expect.any(Object),
    });
    expect(metadata.generatorURL).toMatch(/^http/);
  });

  it('keeps firing and resolved alerts of one Alertmanager notification apart', async () => {
    const body = fixture('grafana/alertmanager_v4_mixed.json');
    const response = await post(body, hmacHeaders(body));
    expect(response.status).toBe(202);
    const events = await stored();
    expect(events).toHaveLength(3);
    const byFingerprint = Object.fromEntries(events.map((e) => [JSON.parse(String(e.metadata)).fingerprint, e]));
    expect(JSON.parse(String(byFingerprint['7faf83cebb527736']?.metadata))).toMatchObject({
      format: 'alertmanager',
      status: 'resolved',
    });
    expect(JSON.parse(String(byFingerprint['0f1a6a746e9d0e38']?.metadata)).status).toBe('firing');
    expect(byFingerprint['7dbb412b15bab3e1']).toMatchObject({
      app_name: 'order-svc',
      zone_code: 'cn-sh-02',
      host_name: '10.0.2.21:8080',
    });
  });

  it('records an alert whose labels name no app with app_name ""', async () => {
    const body = fixture('grafana/grafana_unified_firing.json');
    expect((await post(body, hmacHeaders(body))).status).toBe(202);
    const events = await stored();
    expect(events.map((e) => [e.app_name, e.zone_code])).toEqual([
      ['', 'us-1'],
      ['', 'eu-1'],
    ]);
    expect(events[0]?.app_key).toBeUndefined();
  });

  it('keeps Grafana 11 values, valueString and image, dashboard and panel URLs', async () => {
    const body = fixture('grafana/grafana_unified_firing_v11_values.json');
    expect((await post(body, hmacHeaders(body))).status).toBe(202);
    const [event] = await stored();
    const metadata = JSON.parse(String(event?.metadata));
    expect(Object.keys(metadata)).toEqual(
      expect.arrayContaining(['values', 'valueString', 'imageURL', 'dashboardURL', 'panelURL', 'silenceURL']),
    );
  });

  it('records a resolved alert at its end time', async () => {
    const body = fixture('grafana/grafana_unified_resolved.json');
    expect((await post(body, hmacHeaders(body))).status).toBe(202);
    const [event] = await stored();
    const metadata = JSON.parse(String(event?.metadata));
    expect(metadata.status).toBe('resolved');
    expect(event?.create_time).toBe(Math.floor(Date.parse(metadata.endsAt) / 1000));
  });

  it.each([
    ['grafana/grafana_legacy_alerting.json', 'alerting'],
    ['grafana/grafana_legacy_ok.json', 'ok'],
  ])('records one event for legacy alert %s', async (file, state) => {
    const body = fixture(file);
    expect((await post(body, hmacHeaders(body))).status).toBe(202);
    const events = await stored();
    expect(events).toHaveLength(1);
    expect(JSON.parse(String(events[0]?.metadata))).toMatchObject({ format: 'grafana-legacy', state });
  });

  it('answers 422 naming what was expected for JSON of another shape, and stores nothing', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const response = await post(body, hmacHeaders(body));
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toContain(
      'a Grafana unified alerting notification (version "1"), a Prometheus Alertmanager notification (version "4")',
    );
    expect(await table.items()).toEqual([]);
  });

  it.each([
    ['alerts is not an array of objects', { version: '4', alerts: [42] }, 'alerts.0'],
    ['an empty alerts array', { version: '1', alerts: [] }, 'alerts'],
    [
      'a status other than firing/resolved',
      { version: '4', alerts: [{ status: 'weird', startsAt: 'x' }] },
      'alerts.0.status',
    ],
    [
      'a label that is not a string',
      { version: '4', alerts: [{ status: 'firing', startsAt: 'x', labels: { a: 1 } }] },
      'alerts.0.labels.a',
    ],
  ])('answers 422 for %s', async (_name, payload, field) => {
    const body = JSON.stringify(payload);
    const response = await post(body, hmacHeaders(body));
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message.startsWith(`${field}:`)).toBe(true);
    expect(await table.items()).toEqual([]);
  });

  it('answers 422 for a __proto__ key in labels', async () => {
    const body = '{"version":"4","alerts":[{"status":"firing","startsAt":"x","labels":{"__proto__":{"x":"1"}}}]}';
    const response = await post(body, hmacHeaders(body));
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toMatch(/^alerts\.0\.labels\.__proto__:/);
  });
});

describe('grafana webhook: repeats', () => {
  it('records a repeat notification of unchanged alerts nothing new, and a resolution as a new event', async () => {
    const body = fixture('grafana/alertmanager_v4_mixed.json');
    await post(body, hmacHeaders(body));
    const repeat = await post(body, hmacHeaders(body));
    expect((repeat.body as Accepted).events.map((e) => e.duplicate)).toEqual([true, true, true]);
    expect(await table.events()).toHaveLength(3);

    const resolved = JSON.parse(body);
    resolved.alerts[0].status = 'resolved';
    resolved.alerts[0].endsAt = '2024-05-20T09:00:00Z';
    const text = JSON.stringify(resolved);
    const response = await post(text, hmacHeaders(text));
    expect((response.body as Accepted).events.map((e) => e.duplicate)).toEqual([false, true, true]);
    expect(await table.events()).toHaveLength(4);
  });

  it('records 20 concurrent copies of a notification exactly once per alert', async () => {
    const body = fixture('grafana/alertmanager_v4_mixed.json');
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(body, hmacHeaders(body))));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    expect(await table.events()).toHaveLength(3);
  });

  it('records a legacy notification sent twice once', async () => {
    const body = fixture('grafana/grafana_legacy_alerting.json');
    await post(body, hmacHeaders(body));
    await post(body, hmacHeaders(body));
    expect(await table.events()).toHaveLength(1);
  });
});

describe('grafana webhook: authentication', () => {
  const body = fixture('grafana/grafana_unified_firing.json');

  it('accepts Authorization: Bearer with the configured token (Grafana or Alertmanager)', async () => {
    const response = await post(body, {
      'content-type': 'application/json',
      authorization: `Bearer ${SECRETS.grafanaToken}`,
    });
    expect(response.status).toBe(202);
  });

  it('accepts HTTP Basic with the configured username and password (Alertmanager basic_auth)', async () => {
    const basic = Buffer.from(`alertmanager:${SECRETS.alertmanagerPassword}`).toString('base64');
    const response = await post(body, { 'content-type': 'application/json', authorization: `Basic ${basic}` });
    expect(response.status).toBe(202);
  });

  it.each([
    ['no credentials', { 'content-type': 'application/json' }, 'missing_signature'],
    [
      'an HMAC made with another secret',
      hmacHeaders(body, undefined, 'another-secret-0123456789'),
      'invalid_signature',
    ],
    ['an HMAC timestamp six minutes old', hmacHeaders(body, Math.floor(Date.now() / 1000) - 360), 'stale_signature'],
    [
      'an HMAC without its timestamp header',
      {
        'content-type': 'application/json',
        'x-grafana-alerting-signature': hmacHeaders(body)['x-grafana-alerting-signature'],
      },
      'missing_signature',
    ],
    [
      'a wrong bearer token',
      { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' },
      'invalid_token',
    ],
    [
      'a wrong Basic password',
      {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('alertmanager:wrong').toString('base64')}`,
      },
      'invalid_token',
    ],
  ])('answers 401 for %s and stores nothing', async (_name, headers, code) => {
    const response = await post(body, headers);
    expect(response.status).toBe(401);
    expect((response.body as { error: { code: string } }).error.code).toBe(code);
    expect(await table.items()).toEqual([]);
  });

  it('answers 401 when the signed body was altered', async () => {
    const headers = hmacHeaders(body);
    const response = await post(body.replace('firing', 'resolved'), headers);
    expect(response.status).toBe(401);
  });
});
