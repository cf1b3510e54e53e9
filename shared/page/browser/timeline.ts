// The timeline view: one lane per app over an axis fitted to the events shown, a mark per event
// placed by time, shaped and coloured by source; each mark a button that opens the event's detail,
// and marks too near to tell apart gathered into one with a count that opens the list of them.

import { headline } from '../../event/headline';
import type { PageEvent } from './api';
import type { PageContext } from './context';
import { openDetail, showEvents } from './detail';
import { svg } from './elements';
import { appLabel, timelineSummary, when } from './format';
import { AXIS_TOP, fitAxis, HIT_RADIUS, layoutTimeline, markShape } from './layout';
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

/** Enter or Space on a focused mark acts as a click. */
function asButton(node: SVGElement, label: string, open: () => void): void {
  node.setAttribute('tabindex', '0');
  node.setAttribute('role', 'button');
  node.setAttribute('aria-label', label);
  node.addEventListener('click', open);
  node.addEventListener('keydown', (key) => {
    if (key instanceof KeyboardEvent && (key.key === 'Enter' || key.key === ' ')) {
      key.preventDefault();
      open();
    }
  });
}

/** The 44 px circle around a mark that a tap or click anywhere in opens, as the mark does. */
function hitArea(x: number, y: number, open: () => void): SVGElement {
  const hit = svg('circle', { cx: x, cy: y, r: HIT_RADIUS, class: 'hit', 'aria-hidden': 'true' });
  hit.addEventListener('click', open);
  return hit;
}

/** An event's mark: a button that opens its detail, by mouse, touch and keyboard alike. */
function eventMark(ctx: PageContext, event: PageEvent, x: number, y: number): SVGElement[] {
  const shape = mark(event.source, x, y);
  const kind = event.source === 'grafana' ? 'alert' : 'change';
  const name = `${kind} ${event.operation} (${event.operation_name}) of ${event.app_name || 'no app'} at ${when(event.create_time)}: ${headline(event)}`;
  const open = () => openDetail(ctx, String(event.id));
  asButton(shape, `${name}, event ${event.id}`, open);
  shape.dataset.id = String(event.id);
  shape.dataset.source = event.source;
  shape.append(svg('title', {}, name));
  return [hitArea(x, y, open), shape];
}

/** Several events too near to tell apart: one mark with their count, which opens the list of them. */
function clusterMark(ctx: PageContext, events: PageEvent[], x: number, y: number): SVGElement[] {
  const group = svg('g', { class: 'mark cluster' });
  group.dataset.count = String(events.length);
  const newest = events[0]?.create_time ?? 0;
  const oldest = events[events.length - 1]?.create_time ?? 0;
  const app = appLabel(events[0]?.app_name ?? '');
  const title = `${events.length} events of ${app} from ${when(oldest)} to ${when(newest)}`;
  group.append(
    svg('circle', { cx: x, cy: y, r: 11 }),
    svg('text', { x, y: y + 4, 'text-anchor': 'middle' }, String(events.length)),
    svg('title', {}, title),
  );
  const open = () => showEvents(ctx, title, events);
  asButton(group, title, open);
  return [hitArea(x, y, open), group];
}

/** Draws the timeline last loaded at the width the view has now. */
export function drawTimeline(ctx: PageContext): void {
  const loaded = ctx.state.timeline;
  if (!loaded) return;
  const { events, since, until } = loaded;
  const zoneOffset = new Date().getTimezoneOffset() * 60;
  const now = Math.floor(Date.now() / 1000);
  const layout = layoutTimeline(events, { since, until, now }, ctx.el.timeline.clientWidth, zoneOffset);
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
  if (layout.now !== undefined) {
    const at = layout.now;
    root.append(
      svg('line', { x1: at, x2: at, y1: AXIS_TOP - 20, y2: height, class: 'now' }),
      svg('text', { x: at - 3, y: AXIS_TOP - 22, class: 'now-label', 'text-anchor': 'end' }, 'now'),
    );
  }
  for (const { app, label, labelY, y, marks } of layout.lanes) {
    const lane = svg('g', { class: 'lane', role: 'list' });
    lane.setAttribute('aria-label', `${appLabel(app)}: ${marks.reduce((n, m) => n + m.events.length, 0)} events`);
    root.append(
      svg('line', { x1: left, x2: left + plot, y1: y, y2: y, class: 'lane-line' }),
      svg('text', { x: 4, y: labelY, class: 'lane-label' }, label),
    );
    for (const { events: gathered, x } of marks) {
      const item = svg('g', { role: 'listitem' });
      const [only] = gathered;
      item.append(
        ...(gathered.length === 1 && only !== undefined
          ? eventMark(ctx, only, x, y)
          : clusterMark(ctx, gathered, x, y)),
      );
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
  const axis = fitAxis(
    events.map((e) => e.create_time),
    { since: since ?? right - 86400, until: right },
    now,
  );
  state.timeline = { events, ...axis };
  drawTimeline(ctx);
  if (events.length === 0) {
    say(ctx, '');
    showProblem(ctx, NO_EVENTS, 'empty');
    return;
  }
  say(ctx, timelineSummary(events, hasMore(from) ? TIMELINE_MAX : undefined));
}
