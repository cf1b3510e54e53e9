// How times and values read on the page. Times are the browser's local time, as the Time column's
// heading says; nothing here touches the page, so each is checked apart from the browser.

const pad = (n: number) => String(n).padStart(2, '0');

/** YYYY-MM-DD HH:MM:SS in local time. */
export function when(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local input's value (YYYY-MM-DDTHH:MM, local time); empty for no time. */
export function localInput(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Unix seconds of a datetime-local input's value; undefined when empty or not a time. */
export function fromLocalInput(value: string): number | undefined {
  const ms = value ? new Date(value).getTime() : Number.NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** UTC+08:00 for a zone 480 minutes ahead of UTC (the negative of Date's getTimezoneOffset). */
export function zoneLabel(minutesAheadOfUtc: number): string {
  const minutes = Math.abs(minutesAheadOfUtc);
  return `UTC${minutesAheadOfUtc < 0 ? '−' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** An app's name as shown: a record without one says so. */
export function appLabel(app: string): string {
  return app || '(no app)';
}

/** A field of the detail as shown: metadata by its size (it is printed below), create_time also as a date. */
export function fieldText(name: string, value: unknown): string {
  if (name === 'metadata') return `${String(value).length} bytes, below`;
  if (name === 'create_time') {
    return `${String(value)} (${when(Number(value))}, ${new Date(Number(value) * 1000).toISOString()})`;
  }
  return String(value);
}

/** Metadata indented for reading; text that is not JSON (never stored so) is shown as it is. */
export function prettyMetadata(metadata: string): string {
  try {
    return JSON.stringify(JSON.parse(metadata), null, 2);
  } catch {
    return metadata;
  }
}

/** The status line under the list. */
export function listSummary(shown: number, sources: number, more: boolean): string {
  const merged = sources > 1 ? ` (${sources} sources read and merged)` : '';
  return `${shown} event${shown === 1 ? '' : 's'}, newest first${merged}${more ? '; more available' : ''}.`;
}

/** The status line under the timeline; `capped` when more events matched than the timeline draws. */
export function timelineSummary(
  events: readonly { app_name: string; source: string }[],
  capped: number | undefined,
): string {
  const alerts = events.filter((e) => e.source === 'grafana').length;
  const apps = new Set(events.map((e) => e.app_name)).size;
  const more = capped === undefined ? '' : ` Only the newest ${capped} are drawn: narrow the range or the filters.`;
  return `${events.length} events in ${apps} apps: ${events.length - alerts} changes, ${alerts} alerts.${more}`;
}
