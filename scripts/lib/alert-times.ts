// npm run send: example alerts moved to the present. An example's startsAt and endsAt are fixed in
// its file, so sent as is it would be stored in the past (and never on the page's ranges), and sent
// again it would be the same alert (a duplicate). Every time in the notification is moved by one
// offset, so the latest becomes now and the alerts keep their spacing; the zero endsAt of a firing
// alert stays zero.

import { isPlainObject } from '../../shared/json';

export interface MovedAlerts {
  body: string;
  /** How far the times were moved, in seconds (positive: forward). */
  shiftSeconds: number;
  /** The latest time the file gave, as written there. */
  latest: string;
}

/** Grafana's and Alertmanager's "no end yet", and anything before it. */
const ZERO_TIME = Date.UTC(1, 0, 1);

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > ZERO_TIME ? ms : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}

const FIELDS = ['startsAt', 'endsAt'] as const;

/** The body with its alerts' times moved so the latest is `now`; undefined when it holds no alert times. */
export function moveAlertsToNow(body: string, now: Date): MovedAlerts | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const list = asRecord(parsed)?.alerts;
  if (!Array.isArray(list)) return undefined;
  const alerts = list.map(asRecord).filter((alert) => alert !== undefined);
  let latest: { ms: number; text: string } | undefined;
  for (const alert of alerts) {
    for (const field of FIELDS) {
      const ms = parseTime(alert[field]);
      if (ms !== undefined && (latest === undefined || ms > latest.ms)) latest = { ms, text: String(alert[field]) };
    }
  }
  if (latest === undefined) return undefined;
  const shift = now.getTime() - latest.ms;
  for (const alert of alerts) {
    for (const field of FIELDS) {
      const ms = parseTime(alert[field]);
      if (ms !== undefined) alert[field] = new Date(ms + shift).toISOString();
    }
  }
  return { body: `${JSON.stringify(parsed, null, 2)}\n`, shiftSeconds: Math.round(shift / 1000), latest: latest.text };
}

/** The body npm run send posts for `sender`, and what it tells the user about its alerts' times. */
export function alertBody(
  sender: string,
  body: string,
  options: { id: string | undefined; curl: boolean; now: Date },
): { body: string; notes: string[] } {
  if (sender === 'grafana-legacy') {
    return {
      body,
      notes: ['a legacy Grafana alert carries no time or id: the same body again within 10 minutes is a redelivery'],
    };
  }
  if (sender !== 'grafana' && sender !== 'alertmanager') return { body, notes: [] };
  if (options.id !== undefined || options.curl) {
    const why = options.id !== undefined ? '--id' : '--curl (it sends the file as it is)';
    return { body, notes: [`with ${why} the alerts keep the times the file gives`] };
  }
  const moved = moveAlertsToNow(body, options.now);
  if (moved === undefined) return { body, notes: [] };
  return {
    body: moved.body,
    notes: [
      `the alerts' startsAt and endsAt were moved ${describeShift(moved.shiftSeconds)} (the file's latest, ${moved.latest}, is now ${options.now.toISOString()}), so each send is a new alert; --id keeps the file's times`,
    ],
  };
}

/** "3 d 4 h", "25 min", "40 s": a shift as a person reads it. */
export function describeShift(seconds: number): string {
  const abs = Math.abs(seconds);
  const days = Math.floor(abs / 86400);
  const hours = Math.floor((abs % 86400) / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const text =
    days > 0
      ? `${days} d ${hours} h`
      : hours > 0
        ? `${hours} h ${minutes} min`
        : minutes > 0
          ? `${minutes} min`
          : `${abs} s`;
  return `${seconds < 0 ? 'back' : 'forward'} ${text}`;
}
