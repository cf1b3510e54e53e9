// The timeline's geometry: where its time axis, lanes and marks go for a width and a time span.
// Pure arithmetic, so the drawing (timeline.ts) only turns it into SVG.

import type { PageEvent } from './api';
import { appLabel, when } from './format';

const LANE_HEIGHT = 34;
export const AXIS_TOP = 30;
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

export interface TimelineLayout {
  width: number;
  height: number;
  /** Where the plot starts (the lane labels are to its left) and how wide it is. */
  left: number;
  plot: number;
  ticks: { x: number; label: string }[];
  lanes: { app: string; label: string; y: number; marks: { event: PageEvent; x: number }[] }[];
}

/** One lane per app, sorted by name; in each, its events oldest first so the newest is drawn on top. */
export function layoutTimeline(
  events: readonly PageEvent[],
  since: number,
  until: number,
  availableWidth: number,
  zoneOffset: number,
): TimelineLayout {
  const apps = [...new Set(events.map((e) => e.app_name))].sort();
  const width = Math.max(availableWidth, 300);
  const narrow = width < 640;
  const left = narrow ? 96 : 168;
  const plot = width - left - 16;
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
    lanes: apps.map((app, index) => ({
      app,
      label: appLabel(app).length > 22 && narrow ? `${app.slice(0, 11)}…` : appLabel(app),
      y: AXIS_TOP + index * LANE_HEIGHT + LANE_HEIGHT / 2,
      marks: events
        .filter((e) => e.app_name === app)
        .reverse()
        .map((event) => ({ event, x: x(event.create_time) })),
    })),
  };
}
