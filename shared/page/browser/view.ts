// The view a person is looking at, kept in the address so it can be shared and reloaded: read from
// the query string, written back to it, and turned into the time range it covers.

export interface View {
  app: string;
  source: string;
  operation: string;
  env: string;
  range: string;
  since: number | undefined;
  until: number | undefined;
  view: 'list' | 'timeline';
  event: string;
  refresh: number;
}

/** The preset ranges, in seconds back from now; 'custom' uses since and until. */
const RANGES: Readonly<Record<string, number>> = {
  '1h': 3600,
  '6h': 21600,
  '24h': 86400,
  '7d': 604800,
  '30d': 2592000,
};
const DEFAULT_RANGE = '24h';
const REFRESH_SECONDS: readonly number[] = [10, 30, 60];

/** The view in a query string; anything unknown or malformed falls back to the default. */
export function parseView(search: string): View {
  const q = new URLSearchParams(search);
  const number = (name: string) => {
    const text = q.get(name) ?? '';
    return /^\d{1,11}$/.test(text) ? Number(text) : undefined;
  };
  const range = q.get('range') ?? '';
  const event = q.get('event') ?? '';
  const refresh = number('refresh') ?? 0;
  return {
    app: q.get('app') ?? '',
    source: q.get('source') ?? '',
    operation: q.get('operation') ?? '',
    env: q.get('env') ?? '',
    range: range === 'custom' || Object.hasOwn(RANGES, range) ? range : DEFAULT_RANGE,
    since: number('since'),
    until: number('until'),
    view: q.get('view') === 'timeline' ? 'timeline' : 'list',
    event: /^\d{1,16}$/.test(event) ? event : '',
    refresh: REFRESH_SECONDS.includes(refresh) ? refresh : 0,
  };
}

/** The address of a view: only what differs from the defaults; the bare path when nothing does. */
export function viewAddress(view: View, pathname: string): string {
  const q = new URLSearchParams();
  for (const name of ['app', 'source', 'operation', 'env'] as const) if (view[name]) q.set(name, view[name]);
  if (view.range !== DEFAULT_RANGE) q.set('range', view.range);
  if (view.range === 'custom') {
    if (view.since !== undefined) q.set('since', String(view.since));
    if (view.until !== undefined) q.set('until', String(view.until));
  }
  if (view.view !== 'list') q.set('view', view.view);
  if (view.event) q.set('event', view.event);
  if (view.refresh) q.set('refresh', String(view.refresh));
  const text = q.toString();
  return text ? `?${text}` : pathname;
}

/** Unix seconds of the view's range at `now`; `until` undefined means "up to now". */
export function rangeOf(view: View, now: number): { since: number | undefined; until: number | undefined } {
  if (view.range === 'custom') return { since: view.since, until: view.until };
  return { since: now - (RANGES[view.range] ?? 86400), until: undefined };
}

/** The same view with every filter cleared and the default range; the tab, detail and refresh kept. */
export function withoutFilters(view: View): View {
  return {
    ...view,
    app: '',
    source: '',
    operation: '',
    env: '',
    range: DEFAULT_RANGE,
    since: undefined,
    until: undefined,
  };
}
