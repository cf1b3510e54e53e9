// GET /status against the embedded DynamoDB: the backlog and its oldest event's age, each source's
// newest event and whether it is published, as the events function answers them, with a broker that
// is down and then up.

import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import { SOURCES } from '../../shared/event/catalog';
import { idTime } from '../../shared/event/ids';
import type { SourceStatus, Status } from '../../shared/read-api/status';
import { assemble, functionHandler, type Runtime, redriveWith } from '../../shared/runtime';
import { API_TOKEN, SECRETS, TEST_CONFIG } from '../support/config';
import { useTestTable } from '../support/dynamo';
import { type Handler, invoke, signStandard } from '../support/http';
import { quiet } from '../support/pipeline';

const AUTH = { authorization: `Bearer ${API_TOKEN}` };
const START = Date.UTC(2026, 0, 1, 9, 0, 0);
const seconds = (ms: number) => Math.floor(ms / 1000);

const table = useTestTable();
let clock: number;
let broker: { up: boolean; published: number[] };
let runtime: Runtime;
let events: Handler;

beforeEach(async () => {
  clock = START;
  broker = { up: false, published: [] };
  const publisher = {
    publish: async (record: { id: number }) => {
      if (!broker.up) throw new Error('broker down');
      broker.published.push(record.id);
    },
    close: async () => undefined,
  };
  const config = parseConfig(TEST_CONFIG, { file: 'status.toml', env: {} });
  runtime = assemble(config, { client: table.client, publisher, logger: quiet, now: () => clock, secrets: undefined });
  events = functionHandler('events', runtime);
});

async function post(source: 'confgo' | 'devops', operation: string): Promise<number> {
  const body = JSON.stringify({ app_name: 'user-svc', operation, create_time: seconds(clock) });
  const response = await invoke(functionHandler(source, runtime), {
    path: `/webhooks/${source}`,
    body,
    headers: signStandard(SECRETS[source], body, { at: new Date(clock) }),
  });
  expect(response.status).toBe(202);
  const id = (response.body as { events: { id: number }[] }).events[0]?.id;
  if (id === undefined) throw new Error('the webhook answered no event');
  return id;
}

async function status(): Promise<Status> {
  const response = await invoke(events, { method: 'GET', path: '/status', headers: AUTH });
  expect(response.status).toBe(200);
  return response.body as Status;
}

function ofSource(body: Status, source: string): SourceStatus | undefined {
  return body.sources.find((entry) => entry.source === source);
}

describe('GET /status', () => {
  it('answers for an empty table: nothing pending, no source has an event, nothing published', async () => {
    const body = await status();
    expect(body).toEqual({
      now: seconds(START),
      publishing: true,
      backlog: { pending: 0, capped: false, oldest_pending_id: null, oldest_pending_age_seconds: null },
      last_published_event_at: null,
      refusals_recorded: false,
      sources: SOURCES.map((source) => ({
        source,
        last_event_id: null,
        last_event_at: null,
        last_event_pending: null,
        last_refusal_at: null,
      })),
    });
  });

  it('shows a pending event, its age, then that the redrive published it', async () => {
    const id = await post('confgo', 'confgo_file_publish');
    const waitedMs = 90_000;
    clock += waitedMs;
    const pending = await status();
    expect(pending.backlog).toEqual({
      pending: 1,
      capped: false,
      oldest_pending_id: id,
      oldest_pending_age_seconds: seconds(clock - idTime(id)),
    });
    expect(pending.backlog.oldest_pending_age_seconds).toBe(seconds(waitedMs));
    expect(ofSource(pending, 'confgo')).toEqual({
      source: 'confgo',
      last_event_id: id,
      last_event_at: seconds(START),
      last_event_pending: true,
      last_refusal_at: null,
    });
    expect(ofSource(pending, 'devops')?.last_event_id).toBeNull();
    expect(pending.last_published_event_at).toBeNull();

    broker.up = true;
    clock += 5 * 60_000;
    const report = await redriveWith(runtime, { timeLeft: () => true, graceMs: 0 });
    expect(report).toMatchObject({ published: 1, failed: 0 });
    const published = await status();
    expect(published.backlog).toEqual({
      pending: 0,
      capped: false,
      oldest_pending_id: null,
      oldest_pending_age_seconds: null,
    });
    expect(ofSource(published, 'confgo')?.last_event_pending).toBe(false);
    expect(published.last_published_event_at).toBe(seconds(START));
  });

  it('gives each source its own newest event, and the newest of those published as how recent the stream is', async () => {
    broker.up = true;
    const older = await post('confgo', 'confgo_file_publish');
    const newer = await post('confgo', 'confgo_file_update');
    clock += 30_000;
    const deploy = await post('devops', 'devops_deploy');
    const first = await status();
    expect(ofSource(first, 'devops')).toMatchObject({ last_event_id: deploy, last_event_pending: false });
    expect(first.last_published_event_at).toBe(seconds(idTime(deploy)));
    broker.up = false;
    clock += 30_000;
    const redeploy = await post('devops', 'devops_deploy');
    const body = await status();
    expect(broker.published).toEqual([older, newer, deploy]);
    expect(ofSource(body, 'confgo')).toMatchObject({
      last_event_id: newer,
      last_event_at: seconds(idTime(newer)),
      last_event_pending: false,
    });
    expect(ofSource(body, 'devops')).toMatchObject({
      last_event_id: redeploy,
      last_event_at: seconds(clock),
      last_event_pending: true,
    });
    // The devops event that was published is no longer a source's newest: confgo's newest is.
    expect(body.last_published_event_at).toBe(seconds(idTime(newer)));
    expect(body.backlog).toMatchObject({ pending: 1, oldest_pending_id: redeploy });
  });

  it('refuses a request without the token, with another token, or with a query; /events/status is no status', async () => {
    const missing = await invoke(events, { method: 'GET', path: '/status', headers: {} });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'missing_token' } });
    const wrong = await invoke(events, { method: 'GET', path: '/status', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'invalid_token' } });
    const query = await invoke(events, { method: 'GET', path: '/status', query: { source: 'git' }, headers: AUTH });
    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({ error: { code: 'invalid_query' } });
    // /events/status is an event id that is not a number, never the status.
    const asId = await invoke(events, {
      method: 'GET',
      path: '/events/status',
      routeKey: 'GET /events/{id}',
      pathParameters: { id: 'status' },
      headers: AUTH,
    });
    expect(asId.status).toBe(400);
    expect(asId.body).toMatchObject({ error: { code: 'invalid_id' } });
  });
});
