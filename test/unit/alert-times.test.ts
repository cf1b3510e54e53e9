// npm run send moves example alerts to the present: the times it writes, what it says, and that the
// stored alert is then new on every send (checked with the grafana shaping code itself).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertBody, describeShift, moveAlertsToNow } from '../../scripts/lib/alert-times';
import { DEFAULT_LABELS } from '../../shared/config/types';
import { shapeAlerts } from '../../shared/sources/grafana/shape';

const example = (name: string) => readFileSync(resolve(__dirname, '..', '..', 'examples', name), 'utf8');
const NOW = new Date('2026-12-02T10:00:00.000Z');

describe('example alerts moved to now', () => {
  it('moves every time by one offset so the latest is now, keeping the zero endsAt of a firing alert', () => {
    const moved = moveAlertsToNow(example('alertmanager_notification.json'), NOW);
    expect(moved?.latest).toBe('2025-03-18T03:20:15.123Z');
    const alerts = JSON.parse(moved?.body ?? '').alerts;
    expect(alerts.map((a: { startsAt: string; endsAt: string }) => [a.startsAt, a.endsAt])).toEqual([
      ['2026-12-02T10:00:00.000Z', '0001-01-01T00:00:00Z'],
      // 2 h 14 min 30.119 s before, resolved 1 min 30.119 s before, as in the file.
      ['2026-12-02T07:45:29.881Z', '2026-12-02T09:58:29.881Z'],
    ]);
    expect(moved?.shiftSeconds).toBe(Math.round((NOW.getTime() - Date.parse('2025-03-18T03:20:15.123Z')) / 1000));
  });

  it('stores the alert at the time it is sent, as a new alert each time', () => {
    const shaped = (body: string, at: Date) =>
      shapeAlerts(JSON.parse(body), {
        labels: DEFAULT_LABELS,
        metadataBudget: 65_536,
        nowSeconds: Math.floor(at.getTime() / 1000),
        rawBody: body,
      })[0];
    const later = new Date(NOW.getTime() + 1000);
    const first = shaped(
      alertBody('grafana', example('grafana_firing.json'), { id: undefined, curl: false, now: NOW }).body,
      NOW,
    );
    const second = shaped(
      alertBody('grafana', example('grafana_firing.json'), { id: undefined, curl: false, now: later }).body,
      later,
    );
    expect(first?.draft.create_time).toBe(NOW.getTime() / 1000);
    expect(first?.deliveryKey).not.toBe(second?.deliveryKey);
  });

  it('says what it moved, and keeps the file’s times with --id or --curl', () => {
    const file = example('grafana_firing.json');
    const sent = alertBody('grafana', file, { id: undefined, curl: false, now: NOW });
    expect(sent.notes).toEqual([
      `the alerts' startsAt and endsAt were moved forward 624 d 7 h (the file's latest, 2025-03-18T02:10:00Z, is now 2026-12-02T10:00:00.000Z), so each send is a new alert; --id keeps the file's times`,
    ]);
    expect(alertBody('grafana', file, { id: 'a1', curl: false, now: NOW })).toEqual({
      body: file,
      notes: ['with --id the alerts keep the times the file gives'],
    });
    expect(alertBody('alertmanager', file, { id: undefined, curl: true, now: NOW }).body).toBe(file);
    expect(
      alertBody('grafana-legacy', example('grafana_legacy_alerting.json'), { id: undefined, curl: false, now: NOW })
        .notes,
    ).toEqual(['a legacy Grafana alert carries no time or id: the same body again within 10 minutes is a redelivery']);
    expect(alertBody('confgo', 'not json', { id: undefined, curl: false, now: NOW })).toEqual({
      body: 'not json',
      notes: [],
    });
  });

  it('describes a shift as a person reads it', () => {
    expect(describeShift(3 * 86400 + 4 * 3600 + 59)).toBe('forward 3 d 4 h');
    expect(describeShift(-(25 * 60 + 3))).toBe('back 25 min');
    expect(describeShift(40)).toBe('forward 40 s');
    expect(describeShift(3600 + 120)).toBe('forward 1 h 2 min');
  });
});
