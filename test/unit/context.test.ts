// What belongs in an event's context: the windows, the selection, its bounds and its order. Pure.

import { describe, expect, it } from 'vitest';
import { alertsAfter, changesBefore, contextWindows, MAX_WINDOW_SECONDS } from '../../shared/event/context';

const T = 1_800_000_000;
const HOUR = 3600;
const at = (id: number, create_time: number, operation = 'devops_deploy', app_name = 'api', env = 'prod') => ({
  id,
  app_name,
  env,
  operation,
  create_time,
});
const ALERT = 'grafana_alert_notification';

describe('an event’s context', () => {
  const alert = at(100, T, ALERT);
  const candidates = [
    at(1, T - 2 * HOUR),
    at(2, T - 2 * HOUR - 1),
    at(3, T - HOUR, 'git_push', 'api', 'staging'),
    at(4, T - 60, ALERT),
    at(5, T - 30, 'confgo_file_publish', 'billing'),
    at(6, T),
    at(101, T),
    alert,
  ];

  it('takes the changes of the same app up to 2 hours before an alert, bounds included, newest first', () => {
    const windows = contextWindows(alert);
    expect(windows).toEqual({ before: { since: T - 2 * HOUR, until: T }, after: undefined });
    // 6 is at the same second with a smaller id (recorded first); 101 came after; 4 is an alert; 5 another app.
    expect(changesBefore(alert, candidates, windows).map((e) => e.id)).toEqual([6, 3, 1]);
    expect(changesBefore(alert, candidates, windows, true).map((e) => e.id)).toEqual([6, 1]);
    expect(alertsAfter(alert, candidates, windows)).toEqual([]);
  });

  it('takes the alerts of the same app up to an hour after a change', () => {
    const deploy = at(50, T - 2 * HOUR + 60);
    const later = [at(60, T - HOUR - 60, ALERT), at(61, T - HOUR + 61, ALERT), at(62, T - 2 * HOUR, ALERT)];
    const windows = contextWindows(deploy);
    expect(windows.after).toEqual({ since: T - 2 * HOUR + 60, until: T - HOUR + 60 });
    expect(alertsAfter(deploy, later, windows).map((e) => e.id)).toEqual([60]);
  });

  it('never looks further than 24 hours either way', () => {
    const windows = contextWindows(at(1, T), { before: 10 * 24 * HOUR, after: 48 * HOUR });
    expect(windows.before.since).toBe(T - MAX_WINDOW_SECONDS);
    expect(windows.after?.until).toBe(T + MAX_WINDOW_SECONDS);
  });
});
