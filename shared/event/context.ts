// What "context" means for an event, for the read API and the page alike: the changes (every event
// that is not an alert) of the same app in a window before it, and, for a change, the alerts of the
// same app in a window after it. Pure: the windows and the selection, no reads.

import type { Operation } from './catalog';

/** Seconds looked back from an event for changes (2 hours), and forward from a change for alerts (1 hour). */
export const DEFAULT_BEFORE_SECONDS = 2 * 60 * 60;
export const DEFAULT_AFTER_SECONDS = 60 * 60;
/** The widest window either way: 24 hours. */
export const MAX_WINDOW_SECONDS = 24 * 60 * 60;

interface Timed {
  id: number;
  app_name: string;
  env: string;
  operation: Operation | string;
  create_time: number;
}

export function isAlert(event: Pick<Timed, 'operation'>): boolean {
  return event.operation === 'grafana_alert_notification';
}

export interface ContextWindows {
  /** Inclusive unix-second bounds of the changes before the event. */
  before: { since: number; until: number };
  /** Inclusive bounds of the alerts after it; undefined for an alert. */
  after: { since: number; until: number } | undefined;
}

export function contextWindows(
  event: Timed,
  seconds: { before?: number | undefined; after?: number | undefined } = {},
): ContextWindows {
  const before = Math.min(seconds.before ?? DEFAULT_BEFORE_SECONDS, MAX_WINDOW_SECONDS);
  const after = Math.min(seconds.after ?? DEFAULT_AFTER_SECONDS, MAX_WINDOW_SECONDS);
  const at = event.create_time;
  return {
    before: { since: at - before, until: at },
    after: isAlert(event) ? undefined : { since: at, until: at + after },
  };
}

/** Whether `other` belongs in the event's context: the same app, and the same env when asked for. */
function related(event: Timed, other: Timed, sameEnv: boolean): boolean {
  return other.id !== event.id && other.app_name === event.app_name && (!sameEnv || other.env === event.env);
}

/** The changes among `candidates` in the window before `event`, newest first. */
export function changesBefore<T extends Timed>(
  event: Timed,
  candidates: readonly T[],
  windows: ContextWindows,
  sameEnv = false,
): T[] {
  const { since, until } = windows.before;
  return newestFirst(
    candidates.filter(
      (other) =>
        related(event, other, sameEnv) &&
        !isAlert(other) &&
        other.create_time >= since &&
        other.create_time <= until &&
        (other.create_time < event.create_time || other.id < event.id),
    ),
  );
}

/** The alerts among `candidates` in the window after `event` (a change), newest first. */
export function alertsAfter<T extends Timed>(
  event: Timed,
  candidates: readonly T[],
  windows: ContextWindows,
  sameEnv = false,
): T[] {
  const window = windows.after;
  if (window === undefined) return [];
  return newestFirst(
    candidates.filter(
      (other) =>
        related(event, other, sameEnv) &&
        isAlert(other) &&
        other.create_time >= window.since &&
        other.create_time <= window.until &&
        (other.create_time > event.create_time || other.id > event.id),
    ),
  );
}

function newestFirst<T extends Timed>(events: T[]): T[] {
  return events.sort((a, b) => b.create_time - a.create_time || b.id - a.id);
}
