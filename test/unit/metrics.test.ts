// Metrics: every document the functions' sink writes is checked against the embedded metric format's
// schema (test/support/emf.ts) and read back as CloudWatch would read it; what the HTTP stack, the
// publisher wrapper, the redrive, the replay and a failed secret read report, with fakes for the rest.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import type { SecretProvider } from '../../shared/config/secrets';
import { httpHandler } from '../../shared/http/function';
import type { HttpResult } from '../../shared/http/request';
import { MACHINE_CODE, METRICS, type MetricName, NAMESPACE } from '../../shared/metrics/catalogue';
import { createEmfMetrics, stageFromEnv } from '../../shared/metrics/emf';
import { measuredPublisher } from '../../shared/publishing/measured';
import { redrive } from '../../shared/publishing/redrive';
import { replay } from '../../shared/publishing/replay';
import type { Publisher } from '../../shared/publishing/types';
import { assemble, functionHandler } from '../../shared/runtime';
import type { PublishingState } from '../../shared/store/types';
import { TEST_CONFIG } from '../support/config';
import { capturedMetrics, emfErrors, quietLog, total } from '../support/emf';
import { httpApiEvent, lambdaContext, signStandard } from '../support/http';
import { plainRecord } from '../support/records';

const T0 = Date.UTC(2026, 11, 1, 10);

function expectValid(documents: readonly Record<string, unknown>[]) {
  expect(documents.length).toBeGreaterThan(0);
  for (const document of documents) expect(emfErrors(document), JSON.stringify(document)).toEqual([]);
}

describe('the EMF schema', () => {
  const valid = {
    _aws: {
      Timestamp: T0,
      CloudWatchMetrics: [{ Namespace: 'junoevent', Dimensions: [['stage']], Metrics: [{ Name: 'A', Unit: 'Count' }] }],
    },
    stage: 'dev',
    A: 1,
  };

  it('accepts a document of the specification and refuses each way of breaking it', () => {
    expect(emfErrors(valid)).toEqual([]);
    const broken: Record<string, unknown>[] = [
      { ...valid, stage: undefined },
      { ...valid, A: 'one' },
      { ...valid, A: Array.from({ length: 101 }, () => 1) },
      { ...valid, _aws: { ...valid._aws, Timestamp: undefined } },
      {
        ...valid,
        _aws: {
          ...valid._aws,
          CloudWatchMetrics: [
            {
              Namespace: 'junoevent',
              Dimensions: [Array.from({ length: 31 }, (_, i) => `d${i}`)],
              Metrics: [{ Name: 'A', Unit: 'Count' }],
            },
          ],
        },
        ...Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'x'])),
      },
      {
        ...valid,
        _aws: {
          ...valid._aws,
          CloudWatchMetrics: [
            {
              Namespace: 'junoevent',
              Dimensions: [['stage']],
              Metrics: Array.from({ length: 101 }, (_, i) => ({ Name: `m${i}`, Unit: 'Count' })),
            },
          ],
        },
        ...Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}`, 1])),
      },
      { ...valid, _aws: { ...valid._aws, CloudWatchMetrics: [{ Namespace: 'junoevent', Dimensions: [['stage']] }] } },
      {
        ...valid,
        _aws: {
          ...valid._aws,
          CloudWatchMetrics: [
            { Namespace: 'junoevent', Dimensions: [['stage']], Metrics: [{ Name: 'A', Unit: 'Hz' }] },
          ],
        },
      },
    ];
    for (const document of broken) expect(emfErrors(document), JSON.stringify(document)).not.toEqual([]);
  });
});

describe('the EMF sink', () => {
  it('writes every metric of the catalogue, with each value of its dimensions, as documents the schema accepts', () => {
    const { sink, documents, data } = capturedMetrics({ stage: 'prod', now: () => T0 });
    const expected: { name: string; dimensions: Record<string, string> }[] = [];
    for (const [name, definition] of Object.entries(METRICS)) {
      let combinations: Record<string, string>[] = [{}];
      for (const [key, domain] of Object.entries(definition.dimensions)) {
        const values = domain === MACHINE_CODE ? ['invalid_signature'] : [...domain];
        combinations = combinations.flatMap((c) => values.map((value) => ({ ...c, [key]: value })));
      }
      for (const dimensions of combinations) {
        // The catalogue is walked as data here: its types cannot name each combination.
        sink.add(name as MetricName, dimensions as never, 3);
        expected.push({ name, dimensions: { ...dimensions, stage: 'prod' } });
      }
    }
    sink.flush();
    expectValid(documents());
    for (const document of documents()) expect(document._aws).toMatchObject({ Timestamp: T0 });
    const written = data();
    expect(written.map(({ name, dimensions }) => ({ name, dimensions }))).toEqual(expect.arrayContaining(expected));
    expect(written).toHaveLength(expected.length);
    for (const datum of written) {
      expect(datum.namespace).toBe(NAMESPACE);
      expect(datum.unit).toBe(METRICS[datum.name as MetricName].unit);
      expect(datum.values).toEqual([3]);
    }
  });

  it('sums counts until the flush, keeps latencies value by value, and splits them so each document keeps its dimensions', () => {
    const { sink, documents, data } = capturedMetrics();
    for (let i = 0; i < 5; i += 1) sink.add('Publishes', { function: 'git', outcome: 'succeeded' }, 1);
    sink.add('Publishes', { function: 'git', outcome: 'failed' }, 2);
    const latencies = Array.from({ length: 250 }, (_, i) => i);
    for (const ms of latencies) sink.add('PublishLatency', { function: 'git' }, ms);
    sink.flush();
    expectValid(documents());
    const written = data();
    expect(written.filter((d) => d.name === 'Publishes')).toEqual([
      expect.objectContaining({ dimensions: { function: 'git', outcome: 'succeeded', stage: 'test' }, values: [5] }),
      expect.objectContaining({ dimensions: { function: 'git', outcome: 'failed', stage: 'test' }, values: [2] }),
    ]);
    const latency = written.filter((d) => d.name === 'PublishLatency');
    expect(latency.length).toBe(3);
    for (const datum of latency) expect(datum.dimensions).toEqual({ function: 'git', stage: 'test' });
    expect(latency.flatMap((d) => d.values)).toEqual(latencies);

    // Flushed means gone: a second flush writes nothing.
    const before = documents().length;
    sink.flush();
    expect(documents().length).toBe(before);
  });

  it('drops a value whose dimensions are not those of the catalogue, and logs that it did', () => {
    const errors: string[] = [];
    const { sink, documents } = capturedMetrics({ logger: { ...quietLog, error: (message) => errors.push(message) } });
    // An app name is never a dimension; an outcome outside the catalogue's is not written either.
    sink.add('PendingEvents', { app_name: 'user-svc' } as never, 1);
    sink.add('Requests', { function: 'confgo', outcome: 'maybe' } as never, 1);
    sink.add('Requests', { function: 'confgo' } as never, 1);
    sink.add('RequestErrors', { function: 'git', error_code: 'Not A Code' }, 1);
    sink.add('PublishLatency', { function: 'git' }, Number.NaN);
    sink.flush();
    expect(documents()).toEqual([]);
    expect(errors).toHaveLength(5);
  });

  it('never fails the invocation when a document cannot be written; the next flush writes again', () => {
    const errors: string[] = [];
    let fail = true;
    const lines: string[] = [];
    const sink = createEmfMetrics({
      stage: 'test',
      now: () => T0,
      logger: { ...quietLog, error: (message) => errors.push(message) },
      write: (line) => {
        if (fail) throw new Error('stdout closed');
        lines.push(line);
      },
    });
    sink.add('RedriveRuns', {}, 1);
    expect(() => sink.flush()).not.toThrow();
    expect(errors).toEqual(['metrics could not be written']);
    fail = false;
    sink.add('RedriveRuns', {}, 1);
    sink.flush();
    expect(lines.map((line) => JSON.parse(line).RedriveRuns)).toEqual([1]);
  });

  it('refuses a stage that is not a plain name', () => {
    expect(() => createEmfMetrics({ stage: 'dev stage', now: Date.now, logger: quietLog })).toThrow(RangeError);
    expect(stageFromEnv({ JUNOEVENT_STAGE: 'prod' })).toBe('prod');
    expect(stageFromEnv({})).toBe('local');
    expect(() => stageFromEnv({ JUNOEVENT_STAGE: 'a/b' })).toThrow(/JUNOEVENT_STAGE/);
  });
});

describe('request metrics', () => {
  async function answer(result: HttpResult | Error) {
    const captured = capturedMetrics();
    const handler = httpHandler(
      async () => {
        if (result instanceof Error) throw result;
        return result;
      },
      { name: 'git', logger: quietLog, maxBodyBytes: 1024, metrics: captured.sink },
    );
    await handler(httpApiEvent({ path: '/webhooks/git', body: '{}' }), lambdaContext('git'));
    expectValid(captured.documents());
    return captured.data();
  }

  const webhook = (ids: number[], duplicates: number): HttpResult => ({
    status: 202,
    body: { events: [] },
    log: { source: 'git', outcome: 'accepted', event_ids: ids, duplicates },
  });

  it.each([
    ['accepted', webhook([1, 2], 1)],
    ['duplicate', webhook([1, 2], 2)],
    ['ignored', { status: 200, body: {}, log: { source: 'git', outcome: 'ignored' } }],
    ['answered', { status: 200, body: { events: [] } }],
  ] as const)('counts one request %s, written when the request is answered', async (outcome, result) => {
    const written = await answer(result);
    expect(total(written, 'Requests', { function: 'git', outcome })).toBe(1);
    expect(total(written, 'Requests')).toBe(1);
    expect(total(written, 'RequestErrors')).toBe(0);
  });

  it('counts a refusal by its outcome and its error code', async () => {
    const unauthorized = await answer({
      status: 401,
      body: { error: { code: 'invalid_signature', message: 'no' } },
    });
    expect(total(unauthorized, 'Requests', { function: 'git', outcome: 'unauthorized' })).toBe(1);
    expect(total(unauthorized, 'RequestErrors', { function: 'git', error_code: 'invalid_signature' })).toBe(1);

    const failed = await answer(new Error('boom'));
    expect(total(failed, 'Requests', { function: 'git', outcome: 'failed' })).toBe(1);
    expect(total(failed, 'RequestErrors', { function: 'git', error_code: 'internal_error' })).toBe(1);
  });
});

const record = plainRecord;

/** A publisher that takes `ms` on the clock per publish and fails the ids `fails` names. */
function slowPublisher(clock: { now: number }, ms: number, fails: (id: number) => boolean): Publisher {
  return {
    async publish(event) {
      clock.now += ms;
      if (fails(event.id)) throw new Error('broker down');
    },
    close: async () => undefined,
  };
}

describe('publish metrics', () => {
  it('counts each publish succeeded or failed for its function, with its time', async () => {
    const clock = { now: T0 };
    const { sink, documents, data } = capturedMetrics();
    const publisher = measuredPublisher(
      slowPublisher(clock, 40, (id) => id === 2),
      'confgo',
      sink,
      () => clock.now,
    );
    await publisher.publish(record(1));
    await expect(publisher.publish(record(2))).rejects.toThrow('broker down');
    sink.flush();
    expectValid(documents());
    const written = data();
    expect(total(written, 'Publishes', { function: 'confgo', outcome: 'succeeded' })).toBe(1);
    expect(total(written, 'Publishes', { function: 'confgo', outcome: 'failed' })).toBe(1);
    expect(written.find((d) => d.name === 'PublishLatency')?.values).toEqual([40, 40]);
  });
});

describe('redrive metrics', () => {
  it('reports the backlog and the age of its oldest event after a run', async () => {
    const clock = { now: T0 };
    const oldest = 7;
    const store: PublishingState = {
      pendingEvents: async () => ({ due: [{ record: record(5), attempts: 0 }], unwritten: [], next: undefined }),
      markPublished: async () => undefined,
      markPublishFailed: async () => undefined,
      closeId: async () => true,
      isMarked: async () => true,
      backlog: async () => ({ count: 12, capped: false, oldestId: oldest }),
    };
    const { sink, documents, data } = capturedMetrics();
    const report = await redrive({
      store,
      publisher: measuredPublisher(
        slowPublisher(clock, 5, () => true),
        'redrive',
        sink,
        () => clock.now,
      ),
      logger: quietLog,
      metrics: sink,
      now: () => clock.now,
      timeLeft: () => true,
    });
    sink.flush();
    expectValid(documents());
    const written = data();
    expect(report.oldestPendingAgeSeconds).toBeGreaterThan(0);
    expect(total(written, 'PendingEvents')).toBe(12);
    expect(total(written, 'OldestPendingAgeSeconds')).toBe(report.oldestPendingAgeSeconds);
    expect(total(written, 'Publishes', { function: 'redrive', outcome: 'failed' })).toBe(report.failed);
  });

  it('counts a run skipped because publishing is off, so a stopped schedule is told from an idle one', async () => {
    const { sink, documents, data } = capturedMetrics();
    const runtime = assemble(parseConfig(TEST_CONFIG, { file: 'test.toml', env: {} }), {
      logger: quietLog,
      publisher: undefined,
      secrets: undefined,
      metrics: sink,
    });
    expect(await functionHandler('redrive', runtime)({}, lambdaContext('redrive'))).toEqual({ skipped: true });
    expectValid(documents());
    expect(total(data(), 'RedriveRuns')).toBe(1);
  });
});

describe('replay metrics', () => {
  it('counts the events a dry run counted', async () => {
    const { sink, documents, data } = capturedMetrics();
    const report = await replay(
      { kind: 'start', filter: { app_name: 'a', since: 0, until: 10 }, dryRun: true, maxEvents: 10 },
      {
        store: { list: async () => ({ events: [record(3), record(2), record(1)], nextCursor: undefined }) },
        publisher: undefined,
        logger: quietLog,
        metrics: sink,
        now: () => T0,
        timeLeft: () => true,
        resumeKey: 'replay-key-0123456789-0123456789',
      },
    );
    sink.flush();
    expectValid(documents());
    expect(report.count).toBe(3);
    expect(total(data(), 'ReplayEvents', { outcome: 'counted' })).toBe(3);
    expect(total(data(), 'ReplayEvents', { outcome: 'published' })).toBe(0);
  });
});

describe('secret read failures', () => {
  it("count a failed read of the function's secret, and the 503 it causes", async () => {
    const { sink, documents, data } = capturedMetrics();
    const unreachable: SecretProvider = {
      name: 'aws:junoevent/test/confgo',
      read: () => Promise.reject(new Error('connect ECONNREFUSED')),
    };
    const runtime = assemble(parseConfig(TEST_CONFIG, { file: 'test.toml', env: {} }), {
      logger: quietLog,
      publisher: undefined,
      secrets: unreachable,
      metrics: sink,
    });
    const body = JSON.stringify({ app_name: 'svc', operation: 'confgo_file_publish' });
    const handler = functionHandler('confgo', runtime);
    const response = await handler(
      httpApiEvent({ path: '/webhooks/confgo', body, headers: signStandard('whsec_unused', body) }),
      lambdaContext('confgo'),
    );
    expect(response.statusCode).toBe(503);
    expectValid(documents());
    const written = data();
    expect(total(written, 'SecretReadFailures', { function: 'confgo' })).toBe(1);
    expect(total(written, 'RequestErrors', { function: 'confgo', error_code: 'service_unavailable' })).toBe(1);
  });
});
