// Publishing against a real RocketMQ 5 broker (NameServer + Proxy from scripts/broker/broker.sh):
// webhooks of every source → messages on the topic; broker down → webhooks still 202, events
// pending; broker back + redrive → every pending event arrives; a function that died between its
// write and its send → redrive delivers.

import type { SimpleConsumer } from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER, brokerScript, ROCKETMQ_CONFIG, receiveKeys, startConsumer, withBrokerHung } from '../support/broker';
import { API_TOKEN, fixture, SECRETS } from '../support/config';
import { useFunctions } from '../support/functions';
import { invoke, signStandard } from '../support/http';
import { publishingStore, redriveNow } from '../support/pipeline';

// Without a broker the tests below report skipped; in CI a missing broker fails the run.
if (process.env.CI && !BROKER) {
  describe('broker tests', () => {
    it('run in CI: a broker is named by JUNOEVENT_TEST_BROKER', () => {
      throw new Error('CI must run the broker tests: start the broker and set JUNOEVENT_TEST_BROKER');
    });
  });
}

describe.skipIf(!BROKER)('RocketMQ publishing (real broker)', () => {
  const { table, handlers } = useFunctions({ config: ROCKETMQ_CONFIG, clearEach: false });
  let consumer: SimpleConsumer | undefined;

  beforeAll(async () => {
    consumer = await startConsumer(`junoevent_test_${Date.now()}`);
  });

  afterAll(async () => {
    await consumer?.shutdown().catch(() => undefined);
  });

  async function readBack(id: number): Promise<string> {
    const response = await invoke(handlers.events, {
      method: 'GET',
      path: `/events/${id}`,
      routeKey: 'GET /events/{id}',
      pathParameters: { id: String(id) },
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return response.text;
  }

  /** One webhook per source; each call is a new delivery (new alert fingerprints, new ids). */
  async function postAll() {
    const round = `${Date.now()}`;
    const envelope = JSON.stringify({ app_name: 'user-svc', operation: 'confgo_file_publish', metadata: { id: 1 } });
    const deploy = JSON.stringify({ app_name: 'order-svc', operation: 'devops_deploy' });
    const notification = JSON.parse(fixture('grafana/alertmanager_v4_mixed.json'));
    for (const alert of notification.alerts) alert.fingerprint = `${alert.fingerprint}-${round}`;
    const alerts = JSON.stringify(notification);
    const push = fixture('git/gitlab_push_hook.json');
    const grafanaBasic = Buffer.from(`alertmanager:${SECRETS.alertmanagerPassword}`).toString('base64');
    /** Sends one request and measures how long the function took to answer. */
    const timed = async (request: () => ReturnType<typeof invoke>) => {
      const started = Date.now();
      const response = await request();
      return { ...response, ms: Date.now() - started };
    };
    const gitHeaders = {
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': SECRETS.git,
      'idempotency-key': `push-${round}`,
    };
    const grafanaHeaders = { 'content-type': 'application/json', authorization: `Basic ${grafanaBasic}` };
    return [
      await timed(() =>
        invoke(handlers.confgo, {
          path: '/webhooks/confgo',
          body: envelope,
          headers: signStandard(SECRETS.confgo, envelope),
        }),
      ),
      await timed(() =>
        invoke(handlers.devops, {
          path: '/webhooks/devops',
          body: deploy,
          headers: signStandard(SECRETS.devops, deploy),
        }),
      ),
      await timed(() => invoke(handlers.grafana, { path: '/webhooks/grafana', body: alerts, headers: grafanaHeaders })),
      await timed(() => invoke(handlers.git, { path: '/webhooks/git', body: push, headers: gitHeaders })),
    ];
  }

  function idsOf(responses: { body: unknown }[]): number[] {
    return responses.flatMap((r) => (r.body as { events: { id: number }[] }).events.map((e) => e.id));
  }

  it('publishes every source’s events once: body = the stored record’s bytes, tag = operation, keys = [id]', async () => {
    const responses = await postAll();
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    const ids = idsOf(responses);
    expect(ids).toHaveLength(6);

    const received = await receiveKeys(consumer as SimpleConsumer, ids.map(String));
    for (const id of ids) {
      const messages = received.get(String(id)) ?? [];
      expect(messages).toHaveLength(1);
      const [message] = messages;
      const stored = await readBack(id);
      expect(message?.body).toBe(stored);
      expect(message?.keys).toEqual([String(id)]);
      expect(message?.tag).toBe(JSON.parse(stored).operation);
    }
    // Published: no mark is left for any of them.
    const marked = (await table.marks()).map((mark) => Number(mark.id));
    expect(ids.filter((id) => marked.includes(id))).toEqual([]);
  });

  it('answers 202 within 10 s while the broker hangs, leaving the events pending', async () => {
    await withBrokerHung(async () => {
      const responses = await postAll();
      expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202]);
      for (const response of responses) {
        expect(response.ms).toBeLessThan(10_000);
      }
      const ids = idsOf(responses);
      const pendingOf = new Map((await table.marks()).map((mark) => [Number(mark.id), String(mark.pk)]));
      // Each still marked pending, in the shard its id chooses.
      expect(ids.map((id) => pendingOf.get(id))).toEqual(ids.map((id) => `P#${String(id % 64).padStart(2, '0')}`));
    });
  }, 120_000);

  it('answers 202 while the broker is down, keeps the events pending, and the redrive delivers all of them after', async () => {
    await consumer?.shutdown().catch(() => undefined);
    consumer = undefined;
    brokerScript('stop');
    let responses: Awaited<ReturnType<typeof postAll>>;
    try {
      responses = await postAll();
    } finally {
      brokerScript('start');
    }
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    for (const response of responses) expect(response.ms).toBeLessThan(10_000);
    const ids = idsOf(responses);
    const pending = (await table.marks()).filter((mark) => ids.includes(Number(mark.id)));
    expect(pending).toHaveLength(ids.length);
    expect(pending.every((mark) => /^P#\d{2}$/.test(String(mark.pk)))).toBe(true);
    expect((await table.events()).filter((item) => ids.includes(Number(item.id)))).toHaveLength(ids.length);

    consumer = await startConsumer(`junoevent_test_after_${Date.now()}`);
    const report = await redriveNow(ROCKETMQ_CONFIG, functionsStore());
    expect(report.failed).toBe(0);
    expect(report.published).toBeGreaterThanOrEqual(ids.length);
    expect(report.backlog).toBe(0);
    const received = await receiveKeys(consumer, ids.map(String));
    for (const id of ids) {
      expect(received.get(String(id))?.[0]?.body).toBe(await readBack(id));
    }
  }, 180_000);

  it('delivers with the redrive an event whose function died between its write and its send', async () => {
    const store = functionsStore();
    // A write with publishing on but no publish after it: what a function leaves when it dies there.
    const { record } = await store.record({
      draft: {
        app_name: 'crash-svc',
        aid: 0,
        zone_code: '',
        env: 'prod',
        host_name: 'h1',
        operator_type: 'user',
        user_name: 'u',
        uid: 1,
        operation: 'devops_restart',
        create_time: Math.floor(Date.now() / 1000),
        source: 'devops',
        metadata: '{}',
      },
      deliveryKey: `crash-${Date.now()}`,
    });
    const report = await redriveNow(ROCKETMQ_CONFIG, store);
    expect(report.published).toBe(1);
    const received = await receiveKeys(consumer as SimpleConsumer, [String(record.id)]);
    expect(received.get(String(record.id))?.[0]?.body).toBe(await readBack(record.id));
  }, 60_000);
});

/** A store on the functions' own table (DYNAMODB_ENDPOINT), as the redrive function builds it. */
function functionsStore() {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('the functions are not started');
  return publishingStore(endpoint);
}
