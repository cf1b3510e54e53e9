import { describe, expect, it } from 'vitest';
import { when } from '../../../shared/page/browser/format';
import { age, readStatusBody, statusLines } from '../../../shared/page/browser/health';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = 1_767_258_000;

function answer(overrides: Record<string, unknown> = {}) {
  return {
    now: NOW,
    publishing: true,
    backlog: { pending: 3, capped: false, oldest_pending_id: 7, oldest_pending_age_seconds: 12 * MINUTE + 5 },
    last_published_event_at: NOW - 40,
    refusals_recorded: false,
    sources: [
      { source: 'confgo', last_event_id: 7, last_event_at: NOW - HOUR, last_event_pending: true },
      { source: 'git', last_event_id: null, last_event_at: null, last_event_pending: null },
    ],
    ...overrides,
  };
}

describe('the status strip', () => {
  it('reads an age as a person would say it', () => {
    expect(age(45)).toBe('45 s');
    expect(age(12 * MINUTE + 5)).toBe('12 min');
    expect(age(3 * HOUR + 5 * MINUTE)).toBe('3 h 5 min');
    expect(age(2 * DAY + 4 * HOUR + 59)).toBe('2 d 4 h');
  });

  it('says the backlog, its oldest age, how recent the stream is, and each source’s last event', () => {
    expect(statusLines(readStatusBody(answer()))).toEqual([
      'Backlog: 3 pending, oldest 12 min',
      `Newest published: stored ${when(NOW - 40)}`,
      `confgo: last event ${when(NOW - HOUR)}`,
      'git: no events yet',
    ]);
  });

  it('marks a capped count, an empty backlog, and publishing off', () => {
    const capped = answer({ backlog: { pending: 10_000, capped: true, oldest_pending_age_seconds: DAY } });
    expect(statusLines(readStatusBody(capped)).slice(0, 1)).toEqual(['Backlog: 10000+ pending, oldest 1 d 0 h']);
    const empty = answer({ backlog: { pending: 0, capped: false, oldest_pending_age_seconds: null } });
    expect(statusLines(readStatusBody({ ...empty, last_published_event_at: null })).slice(0, 2)).toEqual([
      'Backlog: 0 pending',
      'Newest published: none yet',
    ]);
    expect(statusLines(readStatusBody(answer({ publishing: false }))).slice(0, 2)).toEqual([
      'Publishing off: events are only stored',
      `confgo: last event ${when(NOW - HOUR)}`,
    ]);
  });

  it('treats an answer of another shape as the API failing', () => {
    for (const body of [
      undefined,
      { ...answer(), backlog: undefined },
      answer({ last_published_event_at: 'yesterday' }),
      answer({ sources: [{ source: 'git' }] }),
    ]) {
      expect(() => readStatusBody(body)).toThrow(
        expect.objectContaining({
          kind: 'unavailable',
          message: 'the API answered GET /status with an unexpected body',
        }),
      );
    }
  });
});
