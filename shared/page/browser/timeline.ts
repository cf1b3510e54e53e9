// The timeline view: one lane per app, a mark per event placed by time, shaped and coloured by
// source; each mark a button that opens the event's detail.

import type { PageEvent } from './api';
import type { PageContext } from './context';
import { openDetail } from './detail';
import { svg } from './elements';
import { appLabel, timelineSummary, when } from './format';
import { AXIS_TOP, layoutTimeline, markShape } from './layout';
import { hasMore, listingsFor, take } from './listings';
import { NO_EVENTS } from './messages';
import { say, showProblem } from './notices';
import { rangeOf, type View } from './view';

/** The most events the timeline draws. */
const TIMELINE_MAX = 2000;

function mark(source: string, x: number, y: number): SVGElement {
  const shape = markShape(source, x, y);
  return svg(shape.tag, shape.attributes);
}

export function drawLegend(ctx: PageContext): void {
  const list = ctx.el.legend;
  list.replaceChildren();
  for (const entry of ctx.catalog.sources) {
    const item = document.createElement('li');
    const icon = svg('svg', { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true' });
    icon.append(mark(entry.source, 8, 8));
    item.append(icon, ` ${entry.source} — ${entry.kind === 'alert' ? 'alert' : 'change'} (${entry.name})`);
    list.append(item);
  }
}

/** An event's mark as a button: Enter or Space opens its detail, as a click does. */
function eventMark(ctx: PageContext, event: PageEvent, x: number, y: number): SVGElement {
  const shape = mark(event.source, x, y);
  const kind = event.source === 'grafana' ? 'alert' : 'change';
  const name = `${kind} ${event.operation} (${event.operation_name}) of ${event.app_name || 'no app'} at ${when(event.create_time)}`;
  shape.setAttribute('tabindex', '0');
  shape.setAttribute('role', 'button');
  shape.setAttribute('aria-label', `${name}, event ${event.id}`);
  shape.dataset.id = String(event.id);
  shape.dataset.source = event.source;
  shape.append(svg('title', {}, name));
  shape.addEventListener('click', () => openDetail(ctx, String(event.id)));
  shape.addEventListener('keydown', (key) => {
    if (key instanceof KeyboardEvent && (key.key === 'Enter' || key.key === ' ')) {
      key.preventDefault();
      openDetail(ctx, String(event.id));
    }
  });
  return shape;
}

/** Draws the timeline last loaded at the width the view has now. */
export function drawTimeline(ctx: PageContext): void {
  const loaded = ctx.state.timeline;
  if (!loaded) return;
  const { events, since, until } = loaded;
  const zoneOffset = new Date().getTimezoneOffset() * 60;
  const layout = layoutTimeline(events, since, until, ctx.el.timeline.clientWidth, zoneOffset);
  const { width, height, left, plot } = layout;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group' });
  root.setAttribute(
    'aria-label',
    `Timeline from ${when(since)} to ${when(until)}: ${events.length} events in ${layout.lanes.length} app lanes`,
  );
  for (const tick of layout.ticks) {
    root.append(
      svg('line', { x1: tick.x, x2: tick.x, y1: AXIS_TOP - 6, y2: height, class: 'tick' }),
      svg('text', { x: tick.x, y: AXIS_TOP - 12, class: 'tick-label', 'text-anchor': 'middle' }, tick.label),
    );
  }
  for (const { app, label, y, marks } of layout.lanes) {
    const lane = svg('g', { class: 'lane', role: 'list' });
    lane.setAttribute('aria-label', `${appLabel(app)}: ${marks.length} events`);
    const text = svg('text', { x: left - 10, y: y + 4, class: 'lane-label', 'text-anchor': 'end' }, label);
    root.append(svg('line', { x1: left, x2: left + plot, y1: y, y2: y, class: 'lane-line' }), text);
    for (const { event, x } of marks) {
      const item = svg('g', { role: 'listitem' });
      item.append(eventMark(ctx, event, x, y));
      lane.append(item);
    }
    root.append(lane);
  }
  ctx.el.timeline.replaceChildren(root);
}

export async function loadTimeline(ctx: PageContext, view: View): Promise<void> {
  const { state } = ctx;
  const mine = state.generation;
  say(ctx, 'Loading the timeline…');
  const now = Math.floor(Date.now() / 1000);
  const { since, until } = rangeOf(view, now);
  const right = until ?? now;
  const from = listingsFor(view, ctx.catalog, now);
  const events = await take(ctx.api, from, TIMELINE_MAX, 100);
  if (mine !== state.generation) return;
  for (const event of events) state.seenApps.add(event.app_name);
  const left = since ?? (events.length ? Math.min(...events.map((e) => e.create_time)) : right - 86400);
  state.timeline = { events, since: left, until: right };
  drawTimeline(ctx);
  if (events.length === 0) {
    say(ctx, '');
    showProblem(ctx, NO_EVENTS, 'empty');
    return;
  }
  say(ctx, timelineSummary(events, hasMore(from) ? TIMELINE_MAX : undefined));
}
