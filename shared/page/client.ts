/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page's script, run in the browser. It is served as the source of `pageClient` called with the
// catalog (see assets.ts), so it must not use anything from outside its own body: no imports, no
// module-level names. Everything a sender wrote reaches the page through textContent, never as HTML.

/** What the page knows of the catalog: sources in legend order, each with its operations. */
export interface PageCatalog {
  sources: {
    source: string;
    name: string;
    kind: 'change' | 'alert';
    operations: { operation: string; name: string }[];
  }[];
  fields: readonly string[];
}

export function pageClient(catalog: PageCatalog): void {
  interface AppEvent {
    id: number;
    app_name: string;
    env: string;
    host_name: string;
    user_name: string;
    operation: string;
    operation_name: string;
    create_time: number;
    source: string;
    metadata: string;
    [field: string]: unknown;
  }
  interface View {
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
  interface Listing {
    params: Record<string, string>;
    buffer: AppEvent[];
    cursor: string | undefined;
    done: boolean;
  }
  type Failure = { kind: 'token' | 'unavailable' | 'refused' | 'missing'; status: number; message: string };

  const TOKEN_KEY = 'junoevent.token';
  const PAGE = 50;
  const TIMELINE_MAX = 2000;
  const RANGES: Record<string, number> = { '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800, '30d': 2592000 };
  const REFRESH_SECONDS = [10, 30, 60];
  const SHAPES: Record<string, string> = { confgo: 'circle', devops: 'square', git: 'diamond', grafana: 'triangle' };
  const SVG = 'http://www.w3.org/2000/svg';

  function $<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
    const found = document.getElementById(id);
    if (!(found instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
    return found;
  }
  const tokenPanel = $('token-panel', HTMLElement);
  const tokenForm = $('token-form', HTMLFormElement);
  const tokenInput = $('token', HTMLInputElement);
  const tokenMessage = $('token-message', HTMLElement);
  const browse = $('browse', HTMLElement);
  const form = $('filters', HTMLFormElement);
  const status = $('status', HTMLElement);
  const problem = $('problem', HTMLElement);
  const rows = $('rows', HTMLTableSectionElement);
  const listView = $('list-view', HTMLElement);
  const timelineView = $('timeline-view', HTMLElement);
  const timeline = $('timeline', HTMLElement);
  const more = $('more', HTMLButtonElement);
  const dialog = $('detail', HTMLDialogElement);
  const detailTitle = $('detail-title', HTMLElement);
  const detailFields = $('detail-fields', HTMLElement);
  const detailMetadata = $('detail-metadata', HTMLElement);
  const auto = $('auto', HTMLSelectElement);
  const apps = $('apps', HTMLDataListElement);
  const tabs = { list: $('tab-list', HTMLAnchorElement), timeline: $('tab-timeline', HTMLAnchorElement) };
  const field = (name: string) => {
    const found = form.elements.namedItem(name);
    if (!(found instanceof HTMLInputElement || found instanceof HTMLSelectElement)) throw new Error(`no ${name} field`);
    return found;
  };

  let generation = 0;
  let listings: Listing[] = [];
  let timer: number | undefined;
  let lastTimeline: { events: AppEvent[]; since: number; until: number } | undefined;
  const seenApps = new Set<string>();

  // ---- the view in the URL ------------------------------------------------------------------

  function readView(): View {
    const q = new URLSearchParams(location.search);
    const number = (name: string) => {
      const text = q.get(name) ?? '';
      return /^\d{1,11}$/.test(text) ? Number(text) : undefined;
    };
    const range = q.get('range') ?? '';
    return {
      app: q.get('app') ?? '',
      source: q.get('source') ?? '',
      operation: q.get('operation') ?? '',
      env: q.get('env') ?? '',
      range: range === 'custom' || Object.hasOwn(RANGES, range) ? range : '24h',
      since: number('since'),
      until: number('until'),
      view: q.get('view') === 'timeline' ? 'timeline' : 'list',
      event: /^\d{1,16}$/.test(q.get('event') ?? '') ? (q.get('event') ?? '') : '',
      refresh: REFRESH_SECONDS.includes(number('refresh') ?? 0) ? (number('refresh') ?? 0) : 0,
    };
  }

  function query(view: View): string {
    const q = new URLSearchParams();
    for (const name of ['app', 'source', 'operation', 'env'] as const) if (view[name]) q.set(name, view[name]);
    if (view.range !== '24h') q.set('range', view.range);
    if (view.range === 'custom') {
      if (view.since !== undefined) q.set('since', String(view.since));
      if (view.until !== undefined) q.set('until', String(view.until));
    }
    if (view.view !== 'list') q.set('view', view.view);
    if (view.event) q.set('event', view.event);
    if (view.refresh) q.set('refresh', String(view.refresh));
    const text = q.toString();
    return text ? `?${text}` : location.pathname;
  }

  function go(view: View, replace = false): void {
    const url = query(view);
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }

  /** Unix seconds of the view's range; `until` undefined means "up to now". */
  function rangeOf(view: View): { since: number | undefined; until: number | undefined } {
    if (view.range === 'custom') return { since: view.since, until: view.until };
    return { since: Math.floor(Date.now() / 1000) - (RANGES[view.range] ?? 86400), until: undefined };
  }

  // ---- the form -----------------------------------------------------------------------------

  function localInput(seconds: number | undefined): string {
    if (seconds === undefined) return '';
    const d = new Date(seconds * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function fillOperations(source: string, selected: string): void {
    const select = field('operation');
    select.replaceChildren(new Option('any operation', ''));
    for (const entry of catalog.sources) {
      if (source && entry.source !== source) continue;
      const group = document.createElement('optgroup');
      group.label = `${entry.source} (${entry.name})`;
      for (const op of entry.operations) {
        // app_node_restart is in two sources: offered once when all sources are shown.
        if (!source && [...select.querySelectorAll('option')].some((o) => o.value === op.operation)) continue;
        group.append(new Option(`${op.operation} (${op.name})`, op.operation));
      }
      select.append(group);
    }
    select.value = [...select.querySelectorAll('option')].some((o) => o.value === selected) ? selected : '';
  }

  function showForm(view: View): void {
    field('app').value = view.app;
    field('source').value = view.source;
    fillOperations(view.source, view.operation);
    field('env').value = view.env;
    field('range').value = view.range;
    field('from').value = localInput(view.since);
    field('to').value = localInput(view.until);
    showCustomRange(view.range === 'custom');
    auto.value = String(view.refresh);
    for (const [name, tab] of Object.entries(tabs)) {
      const current = name === view.view;
      if (current) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
      tab.href = query({ ...view, view: name === 'timeline' ? 'timeline' : 'list', event: '' });
    }
    listView.hidden = view.view !== 'list';
    timelineView.hidden = view.view !== 'timeline';
  }

  /** From and To are shown only for a custom range. */
  function showCustomRange(custom: boolean): void {
    for (const name of ['from', 'to']) {
      const input = field(name);
      input.disabled = !custom;
      if (input.parentElement) input.parentElement.hidden = !custom;
    }
  }

  function formView(): View {
    const current = readView();
    const seconds = (name: string) => {
      const value = field(name).value;
      const ms = value ? new Date(value).getTime() : Number.NaN;
      return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
    };
    const range = field('range').value;
    return {
      ...current,
      app: field('app').value.trim(),
      source: field('source').value,
      operation: field('operation').value,
      env: field('env').value.trim(),
      range,
      since: range === 'custom' ? seconds('from') : undefined,
      until: range === 'custom' ? seconds('to') : undefined,
      event: '',
    };
  }

  // ---- the read API -------------------------------------------------------------------------

  async function api(path: string, params: Record<string, string> = {}): Promise<unknown> {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw failure('token', 0, 'no token');
    const url = new URL(path, location.href);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    } catch {
      throw failure('unavailable', 0, 'the API cannot be reached');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok && body !== undefined) return body;
    const error = isObject(body) && isObject(body.error) ? body.error : {};
    const text = `${response.status} ${String(error.code ?? response.statusText)}: ${String(error.message ?? 'no details')}`;
    if (response.status === 401) throw failure('token', 401, text);
    if (response.status === 404) throw failure('missing', 404, text);
    if (response.status >= 400 && response.status < 500) throw failure('refused', response.status, text);
    throw failure('unavailable', response.status, text);
  }

  function failure(kind: Failure['kind'], code: number, message: string): Failure {
    return { kind, status: code, message };
  }

  function isFailure(value: unknown): value is Failure {
    return isObject(value) && typeof value.kind === 'string' && typeof value.message === 'string';
  }

  function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  function isEvent(value: unknown): value is AppEvent {
    if (!isObject(value)) return false;
    const text = ['app_name', 'env', 'host_name', 'user_name', 'operation', 'operation_name', 'source', 'metadata'];
    return (
      typeof value.id === 'number' &&
      typeof value.create_time === 'number' &&
      text.every((name) => typeof value[name] === 'string')
    );
  }

  /** A page of GET /events, checked: an answer of another shape is treated as the API failing. */
  function readPage(body: unknown): { events: AppEvent[]; next: string | undefined } {
    const events = isObject(body) && Array.isArray(body.events) ? body.events.filter(isEvent) : [];
    if (!isObject(body) || !Array.isArray(body.events) || events.length !== body.events.length) {
      throw failure('unavailable', 200, 'the API answered GET /events with an unexpected body');
    }
    const next = body.next_cursor;
    return { events, next: typeof next === 'string' ? next : undefined };
  }

  /** The read API needs app_name, source or operation: with none, each source is read and merged. */
  function listingsFor(view: View): Listing[] {
    const { since, until } = rangeOf(view);
    const base: Record<string, string> = {};
    if (view.app) base.app_name = view.app;
    if (view.operation) base.operation = view.operation;
    if (view.env) base.env = view.env;
    if (since !== undefined) base.since = String(since);
    if (until !== undefined) base.until = String(until);
    let sources = [view.source];
    if (!view.app && !view.source) {
      sources = catalog.sources
        .filter((s) => !view.operation || s.operations.some((o) => o.operation === view.operation))
        .map((s) => s.source);
    }
    return sources.map((source) => ({
      params: source ? { ...base, source } : base,
      buffer: [],
      cursor: undefined,
      done: false,
    }));
  }

  function newer(a: AppEvent, b: AppEvent): boolean {
    return a.create_time > b.create_time || (a.create_time === b.create_time && a.id > b.id);
  }

  /** The next `count` events of the listings merged newest first, reading pages as they run out. */
  async function take(from: Listing[], count: number, pageSize: number): Promise<AppEvent[]> {
    const out: AppEvent[] = [];
    while (out.length < count) {
      await Promise.all(
        from
          .filter((l) => l.buffer.length === 0 && !l.done)
          .map(async (l) => {
            const params: Record<string, string> = { ...l.params, limit: String(pageSize) };
            if (l.cursor) params.cursor = l.cursor;
            const page = readPage(await api('events', params));
            l.buffer.push(...page.events);
            l.cursor = page.next;
            l.done = page.next === undefined;
          }),
      );
      let best: Listing | undefined;
      for (const l of from) {
        const head = l.buffer[0];
        const top = best?.buffer[0];
        if (head && (!top || newer(head, top))) best = l;
      }
      const next = best?.buffer.shift();
      if (!next) break;
      out.push(next);
    }
    return out;
  }

  const hasMore = (from: Listing[]) => from.some((l) => l.buffer.length > 0 || !l.done);

  // ---- states -------------------------------------------------------------------------------

  function say(text: string): void {
    status.textContent = text;
  }

  /** The one message box: an alert (wrong token, API down, refused) or the "no events" note. */
  function showProblem(text: string, kind: 'alert' | 'empty' = 'alert'): void {
    problem.textContent = text;
    problem.hidden = text === '';
    problem.className = kind;
    problem.setAttribute('role', kind === 'alert' ? 'alert' : 'status');
  }

  function askToken(message: string, wrong: boolean): void {
    stopTimer();
    sessionStorage.removeItem(TOKEN_KEY);
    tokenPanel.hidden = false;
    browse.hidden = true;
    tokenMessage.textContent = message;
    tokenMessage.className = wrong ? 'alert' : '';
    tokenMessage.setAttribute('role', wrong ? 'alert' : 'note');
    tokenInput.value = '';
    tokenInput.focus();
  }

  function handle(error: unknown): void {
    if (!isFailure(error)) {
      showProblem(`Something went wrong in the page: ${String(error)}`);
      return;
    }
    if (error.kind === 'token') {
      askToken(
        error.status === 401
          ? `The API refused this token (${error.message}). Enter the read API token again.`
          : 'Enter the read API token to see events.',
        error.status === 401,
      );
    } else if (error.kind === 'unavailable') {
      say('');
      showProblem(
        `The API is unavailable (${error.status ? error.message : 'no answer'}). Events are kept; try Refresh in a moment.`,
      );
    } else {
      say('');
      showProblem(`The API refused the request: ${error.message}`);
    }
  }

  // ---- list ---------------------------------------------------------------------------------

  function when(seconds: number): string {
    const d = new Date(seconds * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function cell(text: string, className = ''): HTMLTableCellElement {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function addRows(events: AppEvent[]): void {
    for (const event of events) {
      seenApps.add(event.app_name);
      const tr = document.createElement('tr');
      const open = document.createElement('button');
      open.type = 'button';
      open.className = 'link';
      open.textContent = event.operation_name || event.operation;
      open.setAttribute('aria-label', `Open event ${event.id}: ${event.operation} of ${event.app_name || 'no app'}`);
      open.addEventListener('click', () => openDetail(String(event.id)));
      const op = document.createElement('td');
      const code = document.createElement('code');
      code.textContent = event.operation;
      op.append(open, ' ', code);
      const time = document.createElement('td');
      const stamp = document.createElement('time');
      stamp.dateTime = new Date(event.create_time * 1000).toISOString();
      stamp.textContent = when(event.create_time);
      time.append(stamp);
      tr.append(
        time,
        cell(event.app_name || '(no app)', event.app_name ? '' : 'none'),
        cell(event.env, 'wide'),
        cell(event.source, `source ${event.source}`),
        op,
        cell(event.user_name, 'wide'),
        cell(event.host_name, 'wide'),
      );
      tr.dataset.id = String(event.id);
      rows.append(tr);
    }
    apps.replaceChildren(
      ...[...seenApps]
        .filter(Boolean)
        .sort()
        .map((app) => new Option(app)),
    );
  }

  async function loadList(view: View, first: boolean): Promise<void> {
    const mine = generation;
    if (first) listings = listingsFor(view);
    more.disabled = true;
    say(first ? 'Loading events…' : 'Loading more events…');
    const events = await take(listings, PAGE, PAGE);
    if (mine !== generation) return;
    if (first) rows.replaceChildren();
    addRows(events);
    const shown = rows.children.length;
    const merged = listings.length > 1 ? ` (${listings.length} sources read and merged)` : '';
    more.hidden = !hasMore(listings);
    more.disabled = false;
    if (shown === 0) {
      say('');
      showProblem('No events match these filters in this time range.', 'empty');
    } else {
      say(`${shown} event${shown === 1 ? '' : 's'}, newest first${merged}${more.hidden ? '' : '; more available'}.`);
    }
  }

  // ---- timeline -----------------------------------------------------------------------------

  function svg(name: string, attributes: Record<string, string | number>, text?: string): SVGElement {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A source's mark at (x, y): shape and colour by source; the legend shows the same. */
  function mark(source: string, x: number, y: number): SVGElement {
    const shape = SHAPES[source] ?? 'circle';
    const cls = `mark ${source}`;
    if (shape === 'square') return svg('rect', { x: x - 5.5, y: y - 5.5, width: 11, height: 11, class: cls });
    if (shape === 'diamond')
      return svg('path', { d: `M${x} ${y - 7}L${x + 7} ${y}L${x} ${y + 7}L${x - 7} ${y}Z`, class: cls });
    if (shape === 'triangle')
      return svg('path', { d: `M${x} ${y - 7}L${x + 7} ${y + 6}L${x - 7} ${y + 6}Z`, class: cls });
    return svg('circle', { cx: x, cy: y, r: 6, class: cls });
  }

  function legend(): void {
    const list = $('legend', HTMLElement);
    list.replaceChildren();
    for (const entry of catalog.sources) {
      const item = document.createElement('li');
      const icon = svg('svg', { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true' });
      icon.append(mark(entry.source, 8, 8));
      item.append(icon, ` ${entry.source} — ${entry.kind === 'alert' ? 'alert' : 'change'} (${entry.name})`);
      list.append(item);
    }
  }

  function ticks(since: number, until: number, count: number): number[] {
    const steps = [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 259200, 604800];
    const span = Math.max(until - since, 1);
    const step = steps.find((s) => span / s <= count) ?? 604800;
    const offset = new Date().getTimezoneOffset() * 60;
    const out: number[] = [];
    for (let t = Math.ceil((since - offset) / step) * step + offset; t <= until; t += step) out.push(t);
    return out;
  }

  /** HH:MM within a day; MM-DD for whole days; MM-DD HH:MM between. */
  function tickLabel(t: number, span: number, step: number): string {
    const text = when(t);
    if (span <= 86400) return text.slice(11, 16);
    return step >= 86400 ? text.slice(5, 10) : text.slice(5, 16);
  }

  function drawTimeline(): void {
    if (!lastTimeline) return;
    const { events, since, until } = lastTimeline;
    const lanes = [...new Set(events.map((e) => e.app_name))].sort();
    const width = Math.max(timeline.clientWidth, 300);
    const labelWidth = width < 640 ? 96 : 168;
    const plot = width - labelWidth - 16;
    const laneHeight = 34;
    const top = 30;
    const height = top + Math.max(lanes.length, 1) * laneHeight + 6;
    const span = Math.max(until - since, 1);
    const x = (t: number) => labelWidth + ((t - since) / span) * plot;
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group' });
    root.setAttribute(
      'aria-label',
      `Timeline from ${when(since)} to ${when(until)}: ${events.length} events in ${lanes.length} app lanes`,
    );
    const marks = ticks(since, until, Math.max(2, Math.floor(plot / 90)));
    const step = (marks[1] ?? until) - (marks[0] ?? since);
    for (const t of marks) {
      root.append(
        svg('line', { x1: x(t), x2: x(t), y1: top - 6, y2: height, class: 'tick' }),
        svg('text', { x: x(t), y: top - 12, class: 'tick-label', 'text-anchor': 'middle' }, tickLabel(t, span, step)),
      );
    }
    lanes.forEach((app, index) => {
      const y = top + index * laneHeight + laneHeight / 2;
      const lane = svg('g', { class: 'lane', role: 'list' });
      lane.setAttribute(
        'aria-label',
        `${app || '(no app)'}: ${events.filter((e) => e.app_name === app).length} events`,
      );
      const label = svg('text', { x: labelWidth - 10, y: y + 4, class: 'lane-label', 'text-anchor': 'end' });
      label.textContent = (app || '(no app)').length > 22 && width < 640 ? `${app.slice(0, 11)}…` : app || '(no app)';
      root.append(svg('line', { x1: labelWidth, x2: labelWidth + plot, y1: y, y2: y, class: 'lane-line' }), label);
      // Oldest first, so the newest mark is drawn on top.
      for (const event of events.filter((e) => e.app_name === app).reverse()) {
        const shape = mark(event.source, x(event.create_time), y);
        const kind = event.source === 'grafana' ? 'alert' : 'change';
        const name = `${kind} ${event.operation} (${event.operation_name}) of ${app || 'no app'} at ${when(event.create_time)}`;
        shape.setAttribute('tabindex', '0');
        shape.setAttribute('role', 'button');
        shape.setAttribute('aria-label', `${name}, event ${event.id}`);
        shape.dataset.id = String(event.id);
        shape.dataset.source = event.source;
        shape.append(svg('title', {}, name));
        shape.addEventListener('click', () => openDetail(String(event.id)));
        shape.addEventListener('keydown', (key) => {
          if (key instanceof KeyboardEvent && (key.key === 'Enter' || key.key === ' ')) {
            key.preventDefault();
            openDetail(String(event.id));
          }
        });
        const item = svg('g', { role: 'listitem' });
        item.append(shape);
        lane.append(item);
      }
      root.append(lane);
    });
    timeline.replaceChildren(root);
  }

  async function loadTimeline(view: View): Promise<void> {
    const mine = generation;
    say('Loading the timeline…');
    const { since, until } = rangeOf(view);
    const right = until ?? Math.floor(Date.now() / 1000);
    const from = listingsFor(view);
    const events = await take(from, TIMELINE_MAX, 100);
    if (mine !== generation) return;
    for (const event of events) seenApps.add(event.app_name);
    const left = since ?? (events.length ? Math.min(...events.map((e) => e.create_time)) : right - 86400);
    lastTimeline = { events, since: left, until: right };
    drawTimeline();
    if (events.length === 0) {
      say('');
      showProblem('No events match these filters in this time range.', 'empty');
      return;
    }
    const alerts = events.filter((e) => e.source === 'grafana').length;
    const capped = hasMore(from) ? ` Only the newest ${TIMELINE_MAX} are drawn: narrow the range or the filters.` : '';
    say(
      `${events.length} events in ${new Set(events.map((e) => e.app_name)).size} apps: ${events.length - alerts} changes, ${alerts} alerts.${capped}`,
    );
  }

  // ---- detail -------------------------------------------------------------------------------

  function openDetail(id: string): void {
    const view = readView();
    if (view.event !== id) go({ ...view, event: id });
    void showDetail(id);
  }

  async function showDetail(id: string): Promise<void> {
    detailTitle.textContent = `Event ${id}`;
    detailFields.replaceChildren();
    detailMetadata.textContent = 'Loading…';
    if (!dialog.open) dialog.showModal();
    try {
      const record = await api(`events/${id}`);
      if (!isEvent(record))
        throw failure('unavailable', 200, `the API answered GET /events/${id} with an unexpected body`);
      detailTitle.textContent = `${record.operation_name} · ${record.app_name || '(no app)'} · event ${record.id}`;
      for (const name of catalog.fields) {
        const value = record[name];
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        dd.textContent =
          name === 'metadata'
            ? `${String(value).length} bytes, below`
            : name === 'create_time'
              ? `${String(value)} (${when(Number(value))}, ${new Date(Number(value) * 1000).toISOString()})`
              : String(value);
        detailFields.append(dt, dd);
      }
      let pretty = record.metadata;
      try {
        pretty = JSON.stringify(JSON.parse(record.metadata), null, 2);
      } catch {
        // Not JSON (never stored so, but shown as it is rather than hidden).
      }
      detailMetadata.textContent = pretty;
    } catch (error) {
      detailMetadata.textContent = '';
      if (isFailure(error) && error.kind === 'missing') detailTitle.textContent = `No event has id ${id}`;
      else {
        dialog.close();
        handle(error);
      }
    }
  }

  dialog.addEventListener('close', () => {
    const view = readView();
    if (view.event) go({ ...view, event: '' }, true);
  });
  $('detail-close', HTMLButtonElement).addEventListener('click', () => dialog.close());

  // ---- loading and refreshing ---------------------------------------------------------------

  async function load(): Promise<void> {
    generation += 1;
    const view = readView();
    showForm(view);
    showProblem('');
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      askToken('Enter the read API token to see events. It is kept in this tab only, never in the address.', false);
      return;
    }
    tokenPanel.hidden = true;
    browse.hidden = false;
    schedule(view.refresh);
    try {
      if (view.view === 'timeline') await loadTimeline(view);
      else await loadList(view, true);
      if (view.event && !dialog.open) await showDetail(view.event);
    } catch (error) {
      handle(error);
    }
  }

  function schedule(seconds: number): void {
    stopTimer();
    if (seconds > 0) timer = window.setInterval(() => void load(), seconds * 1000);
  }

  function stopTimer(): void {
    if (timer !== undefined) window.clearInterval(timer);
    timer = undefined;
  }

  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    tokenInput.value = '';
    void load();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(formView());
    void load();
  });
  field('source').addEventListener('change', () => fillOperations(field('source').value, field('operation').value));
  field('range').addEventListener('change', () => {
    const custom = field('range').value === 'custom';
    showCustomRange(custom);
    if (custom && !field('from').value) field('from').value = localInput(Math.floor(Date.now() / 1000) - 86400);
    if (custom && !field('to').value) field('to').value = localInput(Math.floor(Date.now() / 1000));
  });
  $('clear', HTMLButtonElement).addEventListener('click', () => {
    go({
      ...readView(),
      app: '',
      source: '',
      operation: '',
      env: '',
      range: '24h',
      since: undefined,
      until: undefined,
    });
    void load();
  });
  $('refresh', HTMLButtonElement).addEventListener('click', () => void load());
  $('forget', HTMLButtonElement).addEventListener('click', () => {
    askToken('Enter the read API token to see events. It is kept in this tab only, never in the address.', false);
  });
  auto.addEventListener('change', () => {
    go({ ...readView(), refresh: Number(auto.value) }, true);
    schedule(Number(auto.value));
  });
  more.addEventListener('click', () => {
    loadList(readView(), false).catch(handle);
  });
  for (const [name, tab] of Object.entries(tabs)) {
    tab.addEventListener('click', (event) => {
      event.preventDefault();
      go({ ...readView(), view: name === 'timeline' ? 'timeline' : 'list', event: '' });
      void load();
    });
  }
  window.addEventListener('popstate', () => {
    if (dialog.open && !readView().event) dialog.close();
    void load();
  });
  let resizing: number | undefined;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(drawTimeline, 150);
  });

  const offset = -new Date().getTimezoneOffset();
  const zone = `UTC${offset < 0 ? '−' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  $('time-head', HTMLElement).textContent = `Time (${zone})`;
  legend();
  void load();
}
