import { describe, expect, it } from 'vitest';
import { failure } from '../../../shared/page/browser/api';
import {
  fieldText,
  fromLocalInput,
  listSummary,
  localInput,
  prettyMetadata,
  timelineSummary,
  when,
  zoneLabel,
} from '../../../shared/page/browser/format';
import { noticeFor } from '../../../shared/page/browser/messages';

/** Unix seconds of a local wall-clock time, whatever zone the tests run in. */
const local = (...parts: [number, number, number, number, number, number?]) =>
  new Date(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5] ?? 0).getTime() / 1000;

describe('what the page says', () => {
  it('shows times in local time, and reads a datetime-local input back to the minute', () => {
    const t = local(2024, 3, 7, 9, 5, 42);
    expect(when(t)).toBe('2024-03-07 09:05:42');
    expect(localInput(t)).toBe('2024-03-07T09:05');
    expect(localInput(undefined)).toBe('');
    expect(fromLocalInput('2024-03-07T09:05')).toBe(local(2024, 3, 7, 9, 5));
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('not a time')).toBeUndefined();
  });

  it('names the zone of the Time column', () => {
    expect(zoneLabel(480)).toBe('UTC+08:00');
    expect(zoneLabel(0)).toBe('UTC+00:00');
    expect(zoneLabel(-330)).toBe('UTC−05:30');
  });

  it('shows a detail’s metadata by size and create_time also as a date', () => {
    const t = local(2024, 3, 7, 9, 5, 42);
    expect(fieldText('metadata', '{"a":"配置"}')).toBe('10 bytes, below');
    expect(fieldText('create_time', t)).toBe(`${t} (2024-03-07 09:05:42, ${new Date(t * 1000).toISOString()})`);
    expect(fieldText('env', 'prod')).toBe('prod');
    expect(prettyMetadata('{"diff":{"timeout":["3s","30s"]}}')).toBe(
      '{\n  "diff": {\n    "timeout": [\n      "3s",\n      "30s"\n    ]\n  }\n}',
    );
    expect(prettyMetadata('plain text')).toBe('plain text');
  });

  it('counts what the list shows, and says when sources were merged or more are left', () => {
    expect(listSummary(7, 4, false)).toBe('7 events, newest first (4 sources read and merged).');
    expect(listSummary(1, 1, false)).toBe('1 event, newest first.');
    expect(listSummary(50, 2, true)).toBe('50 events, newest first (2 sources read and merged); more available.');
  });

  it('counts the timeline’s changes, alerts and apps, and says when it drew only the newest', () => {
    const events = [
      { app_name: 'a', source: 'grafana' },
      { app_name: 'a', source: 'confgo' },
      { app_name: 'b', source: 'git' },
    ];
    expect(timelineSummary(events, undefined)).toBe('3 events in 2 apps: 2 changes, 1 alerts.');
    expect(timelineSummary(events, 2000)).toBe(
      '3 events in 2 apps: 2 changes, 1 alerts. Only the newest 2000 are drawn: narrow the range or the filters.',
    );
  });

  it('asks for the token again when the API refuses it, and says why', () => {
    expect(noticeFor(failure('token', 401, '401 invalid_token: bad'))).toEqual({
      ask: 'token',
      message: 'The API refused this token (401 invalid_token: bad). Enter the read API token again.',
      wrong: true,
    });
    expect(noticeFor(failure('token', 0, 'no token'))).toEqual({
      ask: 'token',
      message: 'Enter the read API token to see events.',
      wrong: false,
    });
  });

  it('tells an API that is down from one that refused the request, and from a fault of the page', () => {
    expect(noticeFor(failure('unavailable', 0, 'the API cannot be reached'))).toEqual({
      ask: 'nothing',
      problem: 'The API is unavailable (no answer). Events are kept; try Refresh in a moment.',
    });
    expect(noticeFor(failure('unavailable', 503, '503 unavailable: store down'))).toEqual({
      ask: 'nothing',
      problem: 'The API is unavailable (503 unavailable: store down). Events are kept; try Refresh in a moment.',
    });
    expect(noticeFor(failure('refused', 400, '400 invalid_query: since'))).toEqual({
      ask: 'nothing',
      problem: 'The API refused the request: 400 invalid_query: since',
    });
    expect(noticeFor(new TypeError('x is undefined'))).toEqual({
      ask: 'nothing',
      problem: 'Something went wrong in the page: TypeError: x is undefined',
    });
  });
});
