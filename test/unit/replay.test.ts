// Replay's rules, with a store that lists from memory (newest first, cursor paging, the read API's
// filters) and a publisher that remembers what it was given: every event of the range exactly once
// over any number of bounded runs, the replay id on every message, dry runs, failures, resume tokens.

import { describe, expect, it } from 'vitest';
import { FieldError } from '../../shared/errors';
import type { Operation, Source } from '../../shared/event/catalog';
import { type AppEvent, completeRecord } from '../../shared/event/record';
import { type ReplayOptions, type ReplayReport, replay } from '../../shared/publishing/replay';
import {
  decodeResumeToken,
  encodeResumeToken,
  parseReplayRequest,
  type ReplayRequest,
} from '../../shared/publishing/replay-request';
import type { Publisher, PublishOptions } from '../../shared/publishing/types';
import type { ListQuery, ListResult } from '../../shared/store/types';

const NOW = 1_796_000_000;
/** The replay function's key that signs resume tokens, as its secret holds it. */
const KEY = 'k'.repeat(43);

function event(id: number, source: Source, operation: Operation, app: string, time: number, env = 'prod'): AppEvent {
  return completeRecord(
    {
      app_name: app,
      aid: 0,
      zone_code: '',
      env,
      host_name: '',
      operator_type: 'user',
      user_name: 'u',
      uid: 0,
      operation,
      create_time: time,
      source,
      metadata: '{}',
    },
    id,
  );
}

/** 60 events: three apps, every source, one a minute, some sharing a second. */
const EVENTS: AppEvent[] = Array.from({ length: 60 }, (_, i) => {
  const kinds: [Source, Operation][] = [
    ['confgo', 'confgo_file_publish'],
    ['devops', 'devops_deploy'],
    ['grafana', 'grafana_alert_notification'],
    ['git', 'git_push'],
    ['confgo', 'app_node_restart'],
    ['devops', 'app_node_restart'],
  ];
  const [source, operation] = kinds[i % kinds.length] as [Source, Operation];
  return event(1000 + i, source, operation, `app-${i % 3}`, NOW - 3600 + Math.floor(i / 2) * 60);
});

/** Lists like the DynamoDB store: one index key (app or source), filters, newest first, cursors. */
function memoryStore(events: AppEvent[]) {
  const calls: ListQuery[] = [];
  return {
    calls,
    async list(query: ListQuery): Promise<ListResult> {
      calls.push(query);
      if (query.app_name === undefined && query.source === undefined) throw new Error('a listing needs app or source');
      const matching = events
        .filter(
          (e) =>
            (query.app_name === undefined || e.app_name === query.app_name) &&
            (query.source === undefined || e.source === query.source) &&
            (query.operation === undefined || e.operation === query.operation) &&
            (query.env === undefined || e.env === query.env) &&
            e.create_time >= (query.since ?? 0) &&
            e.create_time <= (query.until ?? Number.MAX_SAFE_INTEGER),
        )
        .sort((a, b) => b.create_time - a.create_time || b.id - a.id);
      const start = query.cursor === undefined ? 0 : Number(query.cursor);
      const page = matching.slice(start, start + query.limit);
      const next = start + query.limit < matching.length ? String(start + query.limit) : undefined;
      return { events: page, nextCursor: next };
    },
  };
}

function recordingPublisher(failAt: number[] = []) {
  const published: { id: number; properties: Readonly<Record<string, string>> | undefined }[] = [];
  let calls = 0;
  const publisher: Publisher = {
    async publish(record: AppEvent, options?: PublishOptions) {
      calls += 1;
      if (failAt.includes(calls)) throw new Error('broker down');
      published.push({ id: record.id, properties: options?.properties });
    },
    close: async () => undefined,
  };
  return { publisher, published };
}

const logs: { message: string; attributes: Record<string, unknown> | undefined }[] = [];
const logger = {
  info: (message: string, attributes?: Record<string, unknown>) => logs.push({ message, attributes }),
  warn: (message: string, attributes?: Record<string, unknown>) => logs.push({ message, attributes }),
  error: (message: string, attributes?: Record<string, unknown>) => logs.push({ message, attributes }),
};

function options(over: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    store: memoryStore(EVENTS),
    publisher: undefined,
    logger,
    now: () => NOW * 1000,
    timeLeft: () => true,
    resumeKey: KEY,
    newId: () => 'rp-test-1',
    ...over,
  };
}

/** Runs a replay to its end, one bounded run after another; returns every run's report. */
async function runToEnd(request: ReplayRequest, opts: ReplayOptions): Promise<ReplayReport[]> {
  const reports: ReplayReport[] = [];
  let next: ReplayRequest = request;
  for (let run = 0; run < 100; run += 1) {
    const report = await replay(next, opts);
    reports.push(report);
    if (report.resume === null) return reports;
    next = parseReplayRequest({ resume: report.resume, max_events: request.maxEvents }, KEY);
  }
  throw new Error('the replay did not end within 100 runs');
}

const expected = (keep: (e: AppEvent) => boolean) =>
  EVENTS.filter(keep)
    .map((e) => e.id)
    .sort();

describe('replay', () => {
  it('publishes every event of the app and range once, each marked with the replay id', async () => {
    const { publisher, published } = recordingPublisher();
    const request = parseReplayRequest({ app_name: 'app-1', since: NOW - 3000, until: NOW - 1000 }, KEY);
    const [report] = await runToEnd(request, options({ publisher }));
    const want = expected((e) => e.app_name === 'app-1' && e.create_time >= NOW - 3000 && e.create_time <= NOW - 1000);
    expect(want.length).toBeGreaterThan(5);
    expect(published.map((p) => p.id).sort()).toEqual(want);
    expect(published.every((p) => p.properties?.replay_id === 'rp-test-1')).toBe(true);
    expect(report).toMatchObject({ replay_id: 'rp-test-1', count: want.length, total: want.length, done: true });
    expect(report?.resume).toBeNull();
  });

  it('reads every source when no app or source narrows the filter, and both sources of app_node_restart', async () => {
    const all = recordingPublisher();
    const store = memoryStore(EVENTS);
    await runToEnd(parseReplayRequest({ since: 0 }, KEY), options({ publisher: all.publisher, store }));
    expect(all.published.map((p) => p.id).sort()).toEqual(expected(() => true));
    expect(new Set(store.calls.map((call) => call.source))).toEqual(new Set(['confgo', 'git', 'devops', 'grafana']));

    const restarts = recordingPublisher();
    await runToEnd(parseReplayRequest({ operation: 'app_node_restart', since: 0 }, KEY), options(restarts));
    expect(restarts.published.map((p) => p.id).sort()).toEqual(expected((e) => e.operation === 'app_node_restart'));
  });

  it('does bounded work per run and resumes to exactly the whole range, in any run size', async () => {
    for (const maxEvents of [1, 7, 20, 100]) {
      const { publisher, published } = recordingPublisher();
      const request = parseReplayRequest({ source: 'confgo', since: 0, max_events: maxEvents }, KEY);
      const reports = await runToEnd(request, options({ publisher, pageSize: 6 }));
      const want = expected((e) => e.source === 'confgo');
      expect(published.map((p) => p.id).sort()).toEqual(want);
      expect(reports.every((r) => r.count <= maxEvents)).toBe(true);
      expect(reports.slice(0, -1).every((r) => r.stopped === 'max_events' && r.resume !== null)).toBe(true);
      expect(reports.at(-1)).toMatchObject({ done: true, total: want.length, replay_id: 'rp-test-1' });
    }
  });

  it('counts without publishing in a dry run', async () => {
    const { publisher, published } = recordingPublisher();
    const reports = await runToEnd(
      parseReplayRequest({ source: 'grafana', since: 0, dry_run: true, max_events: 4 }, KEY),
      options({ publisher }),
    );
    expect(published).toEqual([]);
    expect(reports.at(-1)).toMatchObject({
      dry_run: true,
      done: true,
      total: expected((e) => e.source === 'grafana').length,
    });
  });

  it('a dry run needs no publisher; a replay does', async () => {
    await expect(
      replay(parseReplayRequest({ source: 'git', since: 0, dry_run: true }, KEY), options()),
    ).resolves.toMatchObject({
      done: true,
    });
    await expect(replay(parseReplayRequest({ source: 'git', since: 0 }, KEY), options())).rejects.toThrow(
      'replay needs publishing',
    );
  });

  it('stops at a failed publish and resumes after the last event published: none lost, none twice', async () => {
    const { publisher, published } = recordingPublisher([4, 9]);
    const request = parseReplayRequest({ source: 'devops', since: 0 }, KEY);
    const reports = await runToEnd(request, options({ publisher, pageSize: 5 }));
    expect(reports.map((r) => r.stopped)).toEqual(['publish_failed', 'publish_failed', null]);
    expect(reports[0]).toMatchObject({ count: 3, error: 'broker down', done: false });
    expect(logs.some((l) => l.message === 'replay stopped: a publish failed')).toBe(true);
    const ids = published.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected((e) => e.source === 'devops'));
  });

  it('stops when the run’s time is up, mid-page, and resumes where it stopped', async () => {
    const { publisher, published } = recordingPublisher();
    let checks = 0;
    const opts = options({ publisher, timeLeft: () => ++checks % 5 !== 0, pageSize: 8 });
    const reports = await runToEnd(parseReplayRequest({ source: 'confgo', since: 0 }, KEY), opts);
    expect(reports.some((r) => r.stopped === 'time')).toBe(true);
    const ids = published.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected((e) => e.source === 'confgo'));
  });

  it('resumes exactly where it stopped even when the next run reads smaller pages', async () => {
    const { publisher, published } = recordingPublisher();
    let checks = 0;
    const first = await replay(
      parseReplayRequest({ source: 'confgo', since: 0, max_events: 100 }, KEY),
      options({ publisher, pageSize: 12, timeLeft: () => ++checks <= 8 }),
    );
    expect(first).toMatchObject({ stopped: 'time', count: 7 });
    // Each later run handles at most 2 events, so it reads pages of 2 from the first run's page start.
    const rest = await runToEnd(
      parseReplayRequest({ resume: first.resume, max_events: 2 }, KEY),
      options({ publisher, pageSize: 12 }),
    );
    expect(rest.at(-1)).toMatchObject({ done: true, total: expected((e) => e.source === 'confgo').length });
    const ids = published.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected((e) => e.source === 'confgo'));
  });

  it('fixes the end of the range when it starts, so events stored after it are not chased', async () => {
    const { publisher } = recordingPublisher();
    const report = await replay(
      parseReplayRequest({ source: 'git', since: 0, max_events: 1 }, KEY),
      options({ publisher }),
    );
    expect(report.filter.until).toBe(NOW);
    const state = decodeResumeToken(report.resume ?? '', KEY);
    expect(state).toMatchObject({ id: 'rp-test-1', filter: { source: 'git', since: 0, until: NOW }, total: 1 });
  });

  it('logs each run with its id, filter and count', async () => {
    logs.length = 0;
    const { publisher } = recordingPublisher();
    await replay(parseReplayRequest({ app_name: 'app-2', since: NOW - 600 }, KEY), options({ publisher }));
    const [line] = logs;
    expect(line?.message).toBe('replay finished');
    expect(line?.attributes).toMatchObject({
      replay_id: 'rp-test-1',
      filter: { app_name: 'app-2', since: NOW - 600, until: NOW },
      dry_run: false,
      done: true,
    });
    expect(line?.attributes?.count).toBe(expected((e) => e.app_name === 'app-2' && e.create_time >= NOW - 600).length);
  });
});

describe('replay requests', () => {
  it('reads times as unix seconds or ISO 8601', () => {
    expect(parseReplayRequest({ since: '2026-12-01T00:00:00Z', until: 1796169600 }, KEY)).toMatchObject({
      kind: 'start',
      filter: { since: 1796083200, until: 1796169600 },
      dryRun: false,
      maxEvents: 1000,
    });
  });

  it('refuses what it cannot do exactly: no start, an unknown field, an end before the start, a mismatched operation', () => {
    expect(() => parseReplayRequest({ app_name: 'a' }, KEY)).toThrow('since must be present');
    expect(() => parseReplayRequest({ since: 0, app: 'a' }, KEY)).toThrow(FieldError);
    expect(() => parseReplayRequest({ since: 10, until: 5 }, KEY)).toThrow('until must be not before since');
    expect(() => parseReplayRequest({ since: 0, source: 'git', operation: 'devops_deploy' }, KEY)).toThrow(
      'an operation of source git',
    );
    expect(() => parseReplayRequest({ since: 'yesterday' }, KEY)).toThrow('unix seconds or an ISO 8601 time');
    expect(() => parseReplayRequest({ since: 0, max_events: 0 }, KEY)).toThrow('max_events');
  });

  const STATE = {
    id: 'rp-x',
    filter: { source: 'git' as const, since: 0, until: 10 },
    dryRun: true,
    listing: 0,
    cursor: 'abc',
    after: [5, 1005] as const,
    total: 3,
  };

  it('takes a resume token alone, and refuses one it did not hand out', () => {
    const token = encodeResumeToken(STATE, KEY);
    expect(parseReplayRequest({ resume: token, max_events: 5 }, KEY)).toEqual({
      kind: 'resume',
      state: { ...STATE, after: [5, 1005] },
      maxEvents: 5,
    });
    expect(() => parseReplayRequest({ resume: token, app_name: 'a' }, KEY)).toThrow(FieldError);
    expect(() => parseReplayRequest({ resume: 'not-a-token' }, KEY)).toThrow('a resume token');
    const unsigned = Buffer.from(JSON.stringify(STATE)).toString('base64url');
    expect(() => parseReplayRequest({ resume: unsigned }, KEY)).toThrow('its signature does not match');
  });

  /** The token a run handed out, with its state changed and its tag kept. */
  const tampered = (change: (state: typeof STATE) => Record<string, unknown>) => {
    const [, tag] = encodeResumeToken(STATE, KEY).split('.');
    return `${Buffer.from(JSON.stringify(change(STATE))).toString('base64url')}.${tag}`;
  };

  it.each([
    ['a dry run made real', (s: typeof STATE) => ({ ...s, dryRun: false })],
    ['a widened filter', (s: typeof STATE) => ({ ...s, filter: { since: 0, until: 10 } })],
    ['a longer range', (s: typeof STATE) => ({ ...s, filter: { ...s.filter, until: NOW } })],
    ['a spoofed replay_id', (s: typeof STATE) => ({ ...s, id: 'rp-20261201T000000Z-00000000' })],
    ['a changed position', (s: typeof STATE) => ({ ...s, after: [9, 9999], cursor: 'xyz' })],
    ['a changed count', (s: typeof STATE) => ({ ...s, total: 0 })],
  ])('refuses a token with %s, and never acts on it', async (_case, change) => {
    const token = tampered(change);
    expect(() => parseReplayRequest({ resume: token }, KEY)).toThrow(
      new FieldError(
        'resume',
        'a resume token a replay run of this deployment returned, unchanged: its signature does not match',
      ),
    );
    // Even handed straight to a run, a tampered state is never read: the tag is checked first.
    expect(() => decodeResumeToken(token, KEY)).toThrow('its signature does not match');
  });

  it('refuses a token signed with another key, or with its tag changed', () => {
    const token = encodeResumeToken(STATE, KEY);
    expect(() => parseReplayRequest({ resume: token }, 'j'.repeat(43))).toThrow('its signature does not match');
    const [payload, tag = ''] = token.split('.');
    const flipped = `${tag.slice(0, -1)}${tag.endsWith('A') ? 'B' : 'A'}`;
    expect(() => parseReplayRequest({ resume: `${payload}.${flipped}` }, KEY)).toThrow('its signature does not match');
    expect(() => parseReplayRequest({ resume: `${payload}.` }, KEY)).toThrow('its signature does not match');
  });

  it("refuses its own run's token made real: the dry run's state under the dry run's tag", async () => {
    const first = await replay(
      parseReplayRequest({ source: 'git', since: 0, dry_run: true, max_events: 1 }, KEY),
      options(),
    );
    const [payload = '', tag] = (first.resume ?? '').split('.');
    expect(tag).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(state).toMatchObject({ dryRun: true });
    const real = `${Buffer.from(JSON.stringify({ ...state, dryRun: false })).toString('base64url')}.${tag}`;
    expect(() => parseReplayRequest({ resume: real }, KEY)).toThrow('its signature does not match');
    expect(parseReplayRequest({ resume: first.resume }, KEY)).toMatchObject({ state: { dryRun: true } });
  });
});
