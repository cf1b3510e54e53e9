import { describe, expect, it } from 'vitest';
import type { PageEvent } from '../../../shared/page/browser/api';
import { fitAxis, gather, layoutTimeline, markShape, tickLabel, ticks } from '../../../shared/page/browser/layout';

const HOUR = 3600;
const DAY = 86400;
/** 2023-11-14 22:13:20 UTC. */
const SINCE = 1_700_000_000;

function event(id: number, app_name: string, create_time: number, source = 'confgo'): PageEvent {
  return {
    id,
    app_name,
    env: '',
    host_name: '',
    user_name: '',
    operation: 'confgo_file_publish',
    operation_name: '配置发布',
    create_time,
    source,
    metadata: '{}',
  };
}

describe('the timeline’s layout', () => {
  it('puts ticks on whole steps, the smallest step that gives at most the count asked', () => {
    // Six hours with up to ten ticks: half-hours would give twelve, so hours.
    const hours = ticks(SINCE, SINCE + 6 * HOUR, 10, 0);
    expect(hours).toHaveLength(6);
    expect(hours.every((t) => t % HOUR === 0)).toBe(true);
    expect(hours[0]).toBe(1_700_002_800); // 23:00 UTC, the first whole hour after since
    expect(hours.every((t, i) => i === 0 || t - (hours[i - 1] ?? 0) === HOUR)).toBe(true);
  });

  it('puts day ticks on local midnight', () => {
    // UTC+08:00: Date's getTimezoneOffset is -480 minutes.
    const offset = -480 * 60;
    const days = ticks(SINCE, SINCE + 7 * DAY, 8, offset);
    expect(days).toHaveLength(7);
    expect(days.every((t) => (t - offset) % DAY === 0)).toBe(true);
  });

  it('labels ticks by what changes over the span', () => {
    const t = new Date(2024, 2, 7, 9, 30).getTime() / 1000;
    expect(tickLabel(t, 6 * HOUR, HOUR)).toBe('09:30');
    expect(tickLabel(t, 3 * DAY, 6 * HOUR)).toBe('03-07 09:30');
    expect(tickLabel(t, 30 * DAY, DAY)).toBe('03-07');
  });

  it('gives each app a lane, sorted, its label on a line above its marks, and places each mark by its time', () => {
    const events = [
      event(4, 'user-svc', SINCE + 3 * HOUR, 'grafana'),
      event(3, 'order-svc', SINCE + 2 * HOUR),
      event(2, '', SINCE + HOUR),
      event(1, 'user-svc', SINCE),
    ];
    const layout = layoutTimeline(events, { since: SINCE, until: SINCE + 4 * HOUR, now: SINCE + 5 * HOUR }, 1000, 0);
    expect(layout).toMatchObject({ width: 1000, left: 22, plot: 956, height: 30 + 3 * 64 + 6, now: undefined });
    expect(layout.lanes.map(({ app, label, labelY, y }) => ({ app, label, labelY, y }))).toEqual([
      { app: '', label: '(no app)', labelY: 44, y: 72 },
      { app: 'order-svc', label: 'order-svc', labelY: 108, y: 136 },
      { app: 'user-svc', label: 'user-svc', labelY: 172, y: 200 },
    ]);
    // Oldest first, so the newest is drawn on top; since at the plot's left edge, until at its right.
    const userSvc = layout.lanes[2]?.marks.map(({ events, x }) => ({ ids: events.map((e) => e.id), x }));
    expect(userSvc).toEqual([
      { ids: [1], x: 22 },
      { ids: [4], x: 22 + 956 * 0.75 },
    ]);
    expect(layout.ticks.map((tick) => tick.x)).toEqual(
      ticks(SINCE, SINCE + 4 * HOUR, 10, 0).map((t) => 22 + ((t - SINCE) / (4 * HOUR)) * 956),
    );
  });

  it('never cuts a lane label, and never draws narrower than 300 pixels', () => {
    const long = 'a-very-long-application-name-payment-gateway';
    const layout = layoutTimeline([event(1, long, SINCE)], { since: SINCE, until: SINCE + HOUR, now: 0 }, 200, 0);
    expect(layout).toMatchObject({ width: 300, left: 22, plot: 256 });
    expect(layout.lanes[0]?.label).toBe(long);
  });

  it('draws "now" where the axis reaches it', () => {
    const axis = { since: SINCE, until: SINCE + 4 * HOUR, now: SINCE + 3 * HOUR };
    expect(layoutTimeline([], axis, 1000, 0).now).toBe(22 + 956 * 0.75);
  });

  it('gathers marks nearer than an overlap (wide) or a tap target (narrow) into one, newest first', () => {
    // Three events a minute apart and one two hours later, on a 4-hour axis.
    const events = [
      event(4, 'a', SINCE + 3 * HOUR),
      event(3, 'a', SINCE + HOUR + 120),
      event(2, 'a', SINCE + HOUR + 60),
      event(1, 'a', SINCE + HOUR),
    ];
    const axis = { since: SINCE, until: SINCE + 4 * HOUR, now: 0 };
    const ids = (width: number) =>
      layoutTimeline(events, axis, width, 0).lanes[0]?.marks.map((mark) => mark.events.map((e) => e.id));
    // 1000 px: a minute is 4 px, so the three overlap.
    expect(ids(1000)).toEqual([[3, 2, 1], [4]]);
    // 2400 px: about 10 px a minute; a mark takes what is within 16 px of its newest event.
    expect(ids(2400)).toEqual([[1], [3, 2], [4]]);
    // 390 px (a phone): 346 px for 4 hours, so a 44 px tap target is about 30 minutes wide.
    expect(ids(390)).toEqual([[3, 2, 1], [4]]);
    expect(gather([], (t) => t, 10)).toEqual([]);
  });

  it('fits the axis to the events shown, reaching out to now when the last is near it', () => {
    const range = { since: SINCE - 20 * HOUR, until: SINCE + 4 * HOUR };
    // Events over 2 hours, the last 1 hour before now: the axis runs from just before the first to just after now.
    expect(fitAxis([SINCE, SINCE + 2 * HOUR], range, SINCE + 2 * HOUR + 1800)).toEqual({
      since: SINCE - 360,
      until: SINCE + 2 * HOUR + 1800 + 360,
    });
    // The last event 10 hours before now: the axis ends just after it.
    expect(fitAxis([SINCE, SINCE + 2 * HOUR], range, SINCE + 12 * HOUR)).toEqual({
      since: SINCE - 360,
      until: SINCE + 2 * HOUR + 360,
    });
    // One event: 10 minutes around it at least.
    expect(fitAxis([SINCE], range, SINCE + 20 * HOUR)).toEqual({ since: SINCE - 30, until: SINCE + 30 });
    expect(fitAxis([], range, SINCE)).toEqual(range);
  });

  it('shapes each source’s mark differently, centred on its point', () => {
    expect(markShape('confgo', 10, 20)).toEqual({
      tag: 'circle',
      attributes: { cx: 10, cy: 20, r: 6, class: 'mark confgo' },
    });
    expect(markShape('devops', 10, 20)).toEqual({
      tag: 'rect',
      attributes: { x: 4.5, y: 14.5, width: 11, height: 11, class: 'mark devops' },
    });
    expect(markShape('git', 10, 20).attributes.d).toBe('M10 13L17 20L10 27L3 20Z');
    expect(markShape('grafana', 10, 20).attributes.d).toBe('M10 13L17 26L3 26Z');
  });
});
