// The timeline's geometry: where its time axis, lanes and marks go for a width and a time span.
// Pure arithmetic, so the drawing (timeline.ts) only turns it into SVG.

import type { PageEvent } from './api';
import { appLabel, when } from './format';

/** A lane: its label on a line of its own (so it is never cut), then a row of marks 44 px tall to tap. */
const LANE_HEIGHT = 64;
const LABEL_DROP = 14;
const MARK_DROP = 42;
export const AXIS_TOP = 30;
/** Each mark answers a tap or click within this radius: a 44 px target. */
export const HIT_RADIUS = 22;
/** Marks nearer than this on a lane are gathered into one mark with a count: overlapping on a wide screen, closer than a tap target on a narrow one. */
const GATHER_WIDE = 16;
const GATHER_NARROW = 2 * HIT_RADIUS;
/** The axis reaches out this share of the events' span beyond the first and the last. */
const AXIS_MARGIN = 0.05;
/** The shortest axis: 10 minutes. */
const MIN_AXIS_SECONDS = 600;
/** Tick spacings, in seconds, from a minute to a week: the smallest that gives at most the asked count. */
const TICK_STEPS = [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 259200, 604800];

/** The shape of each source's mark; the legend shows the same. */
const SHAPES: Readonly<Record<string, 'circle' | 'square' | 'diamond' | 'triangle'>> = {
  confgo: 'circle',
  devops: 'square',
  git: 'diamond',
  grafana: 'triangle',
};

/** An SVG element to draw: its tag and attributes. */
export interface Shape {
  tag: 'circle' | 'rect' | 'path';
  attributes: Record<string, string | number>;
}

/** A source's mark centred at (x, y): shape and colour (its class) by source. */
export function markShape(source: string, x: number, y: number): Shape {
  const shape = SHAPES[source] ?? 'circle';
  const cls = `mark ${source}`;
  if (shape === 'square')
    return { tag: 'rect', attributes: { x: x - 5.5, y: y - 5.5, width: 11, height: 11, class: cls } };
  if (shape === 'diamond') {
    return { tag: 'path', attributes: { d: `M${x} ${y - 7}L${x + 7} ${y}L${x} ${y + 7}L${x - 7} ${y}Z`, class: cls } };
  }
  if (shape === 'triangle') {
    return { tag: 'path', attributes: { d: `M${x} ${y - 7}L${x + 7} ${y + 6}L${x - 7} ${y + 6}Z`, class: cls } };
  }
  return { tag: 'circle', attributes: { cx: x, cy: y, r: 6, class: cls } };
}

/**
 * Tick times between since and until, at most about `count`, on whole steps of local time
 * (`zoneOffset` is Date's getTimezoneOffset in seconds: UTC minus local).
 */
export function ticks(since: number, until: number, count: number, zoneOffset: number): number[] {
  const span = Math.max(until - since, 1);
  const step = TICK_STEPS.find((s) => span / s <= count) ?? 604800;
  const out: number[] = [];
  for (let t = Math.ceil((since - zoneOffset) / step) * step + zoneOffset; t <= until; t += step) out.push(t);
  return out;
}

/** HH:MM within a day; MM-DD for whole days; MM-DD HH:MM between. */
export function tickLabel(t: number, span: number, step: number): string {
  const text = when(t);
  if (span <= 86400) return text.slice(11, 16);
  return step >= 86400 ? text.slice(5, 10) : text.slice(5, 16);
}

/** One mark: a single event, or several gathered (newest first), placed at the newest one's time. */
export interface TimelineMark {
  events: PageEvent[];
  x: number;
}

export interface TimelineLayout {
  width: number;
  height: number;
  /** Where the plot starts and how wide it is. */
  left: number;
  plot: number;
  ticks: { x: number; label: string }[];
  /** Where "now" is, when the axis reaches it. */
  now: number | undefined;
  lanes: { app: string; label: string; labelY: number; y: number; marks: TimelineMark[] }[];
}

/**
 * The axis fitted to the events shown: from a little before the first to a little after the last,
 * reaching out to now when the last is near it. Without events, the range asked for.
 */
export function fitAxis(
  times: readonly number[],
  range: { since: number; until: number },
  now: number,
): { since: number; until: number } {
  if (times.length === 0) return range;
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(last - first, MIN_AXIS_SECONDS);
  const margin = span * AXIS_MARGIN;
  const nearNow = now >= last && now - last <= span / 4;
  return { since: Math.floor(first - margin), until: Math.ceil(Math.max(last + margin, nearNow ? now + margin : 0)) };
}

/** A lane's events (newest first) gathered into marks: each mark takes the older events within `gap` pixels of it. */
export function gather(events: readonly PageEvent[], x: (t: number) => number, gap: number): TimelineMark[] {
  const marks: TimelineMark[] = [];
  for (const event of events) {
    const at = x(event.create_time);
    const last = marks[marks.length - 1];
    if (last !== undefined && last.x - at < gap) last.events.push(event);
    else marks.push({ events: [event], x: at });
  }
  // Oldest first, so the newest is drawn on top.
  return marks.reverse();
}

/** One lane per app, sorted by name; its label above its marks. `events` are newest first. */
export function layoutTimeline(
  events: readonly PageEvent[],
  axis: { since: number; until: number; now: number },
  availableWidth: number,
  zoneOffset: number,
): TimelineLayout {
  const { since, until, now } = axis;
  const apps = [...new Set(events.map((e) => e.app_name))].sort();
  const width = Math.max(availableWidth, 300);
  const narrow = width < 640;
  const left = HIT_RADIUS;
  const plot = width - 2 * HIT_RADIUS;
  const height = AXIS_TOP + Math.max(apps.length, 1) * LANE_HEIGHT + 6;
  const span = Math.max(until - since, 1);
  const x = (t: number) => left + ((t - since) / span) * plot;
  const times = ticks(since, until, Math.max(2, Math.floor(plot / 90)), zoneOffset);
  const step = (times[1] ?? until) - (times[0] ?? since);
  return {
    width,
    height,
    left,
    plot,
    ticks: times.map((t) => ({ x: x(t), label: tickLabel(t, span, step) })),
    now: now >= since && now <= until ? x(now) : undefined,
    lanes: apps.map((app, index) => {
      const top = AXIS_TOP + index * LANE_HEIGHT;
      const own = events.filter((e) => e.app_name === app);
      return {
        app,
        label: appLabel(app),
        labelY: top + LABEL_DROP,
        y: top + MARK_DROP,
        marks: gather(own, x, narrow ? GATHER_NARROW : GATHER_WIDE),
      };
    }),
  };
}
