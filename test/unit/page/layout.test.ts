import { describe, expect, it } from 'vitest';
import type { PageEvent } from '../../../shared/page/browser/api';
import { layoutTimeline, markShape, tickLabel, ticks } from '../../../shared/page/browser/layout';

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

  it('gives each app a lane, sorted, and places each mark by its time', () => {
    const events = [
      event(4, 'user-svc', SINCE + 3 * HOUR, 'grafana'),
      event(3, 'order-svc', SINCE + 2 * HOUR),
      event(2, '', SINCE + HOUR),
      event(1, 'user-svc', SINCE),
    ];
    const layout = layoutTimeline(events, SINCE, SINCE + 4 * HOUR, 1000, 0);
    expect(layout).toMatchObject({ width: 1000, left: 168, plot: 816, height: 30 + 3 * 34 + 6 });
    expect(layout.lanes.map(({ app, label, y }) => ({ app, label, y }))).toEqual([
      { app: '', label: '(no app)', y: 47 },
      { app: 'order-svc', label: 'order-svc', y: 81 },
      { app: 'user-svc', label: 'user-svc', y: 115 },
    ]);
    // Oldest first, so the newest is drawn on top; since at the plot's left edge, until at its right.
    const userSvc = layout.lanes[2]?.marks.map(({ event, x }) => ({ id: event.id, x }));
    expect(userSvc).toEqual([
      { id: 1, x: 168 },
      { id: 4, x: 168 + 816 * 0.75 },
    ]);
    expect(layout.ticks.map((tick) => tick.x)).toEqual(
      ticks(SINCE, SINCE + 4 * HOUR, 9, 0).map((t) => 168 + ((t - SINCE) / (4 * HOUR)) * 816),
    );
  });

  it('narrows the labels on a small screen, and never draws narrower than 300 pixels', () => {
    const long = 'a-very-long-application-name-svc';
    const layout = layoutTimeline([event(1, long, SINCE)], SINCE, SINCE + HOUR, 200, 0);
    expect(layout).toMatchObject({ width: 300, left: 96, plot: 188 });
    expect(layout.lanes[0]?.label).toBe('a-very-long…');
    expect(layoutTimeline([event(1, long, SINCE)], SINCE, SINCE + HOUR, 800, 0).lanes[0]?.label).toBe(long);
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
