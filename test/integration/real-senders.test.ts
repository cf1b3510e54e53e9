// What real senders emit, as classes of problems: JSON null for absent fields (Go's nil maps and
// slices, GitHub's nullable fields), the shapes of older and instance-wide GitLab hooks, names
// longer than the record keeps, deletions, sender clocks, and replays. Bodies are in each sender's
// real shape (test/fixtures/real/); the null property runs over bodies no fixture has.

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, SECRETS, TEST_CONFIG } from '../support/config';
import { useFunctions } from '../support/functions';
import { invoke, signStandard } from '../support/http';

/** The test config, with GitLab project 205 (a Job hook's only identity) mapped by path and id. */
const CONFIG = `${TEST_CONFIG}"finops/ledger-sync" = { app_name = "ledger-svc", id = 205, env = "prod" }\n`;
const { table, handlers } = useFunctions({ config: CONFIG });

type Answer = { events: { id: number; operation: string; duplicate: boolean }[]; ignored?: string };

function gitlab(event: string, body: string, headers: Record<string, string> = {}) {
  return invoke(handlers.git, {
    path: '/webhooks/git',
    body,
    headers: { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': SECRETS.git, ...headers },
  });
}

function github(event: string, body: string, delivery = `d-${Math.random()}`) {
  return invoke(handlers.git, {
    path: '/webhooks/git',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRETS.git).update(body).digest('hex')}`,
    },
  });
}

function grafana(body: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  return invoke(handlers.grafana, {
    path: '/webhooks/grafana',
    body,
    headers: {
      'content-type': 'application/json',
      'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana).update(`${ts}:${body}`).digest('hex'),
      'x-grafana-alerting-timestamp': ts,
    },
  });
}

function alertmanager(body: string) {
  return invoke(handlers.grafana, {
    path: '/webhooks/grafana',
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.grafanaToken}` },
  });
}

async function stored() {
  return (await table.events()).sort((a, b) => Number(a.id) - Number(b.id));
}

async function onlyEvent() {
  const events = await stored();
  expect(events).toHaveLength(1);
  return events[0] ?? {};
}

const metadataOf = (event: Record<string, unknown>) => JSON.parse(String(event.metadata));

describe('JSON null is absent', () => {
  it.each([
    ['a contact point "Test" notification', 'real/grafana/unified_test_notification.json', 1],
    ['a NoData alert', 'real/grafana/unified_nodata.json', 1],
    ['an Error alert with two alerts', 'real/grafana/unified_error.json', 2],
  ])('Grafana: records %s (values: null)', async (_name, file, count) => {
    const response = await grafana(fixture(file));
    expect(response.status).toBe(202);
    const events = await stored();
    expect(events).toHaveLength(count);
    for (const event of events) {
      const metadata = metadataOf(event);
      expect(metadata.values).toBeUndefined();
      expect(metadata.status).toBe('firing');
    }
  });

  it('Alertmanager: records every alert of a v4 notification with empty maps and the zero endsAt', async () => {
    const response = await alertmanager(fixture('real/alertmanager/am_nulls.json'));
    expect(response.status).toBe(202);
    const events = await stored();
    expect(events.map((e) => metadataOf(e).labels.alertname).sort()).toEqual([
      'NodeFilesystemAlmostFull',
      'WatchdogHeartbeatMissing',
    ]);
  });

  it.each([
    ['push', 'real/github/push_nullable.json', 'git_branch_delete'],
    ['pull_request', 'real/github/pull_request_nullables.json', 'git_merge_request'],
    ['release', 'real/github/release_nulls.json', 'git_release'],
  ])('GitHub: records a %s with null fields', async (event, file, operation) => {
    const body = fixture(file);
    const response = await github(event, body);
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ operation, user_name: JSON.parse(body).sender.login });
  });

  // The class, not the fixtures: any optional field of a real body set to null is still accepted.
  const REQUIRED: Record<string, string[]> = {
    grafana: ['version', 'alerts', 'status', 'startsAt'],
    github: ['repository', 'full_name', 'name', 'ref'],
    gitlab: ['object_kind', 'project', 'id', 'path_with_namespace'],
  };
  const bodies = [
    { sender: 'grafana', file: 'real/grafana/unified_error.json', send: (b: string) => grafana(b) },
    { sender: 'grafana', file: 'real/alertmanager/am_nulls.json', send: (b: string) => alertmanager(b) },
    { sender: 'github', file: 'real/github/push_nullable.json', send: (b: string) => github('push', b) },
    {
      sender: 'github',
      file: 'real/github/pull_request_nullables.json',
      send: (b: string) => github('pull_request', b),
    },
    {
      sender: 'gitlab',
      file: 'real/gitlab/system_merge_request.json',
      send: (b: string) => gitlab('Merge Request Hook', b),
    },
    { sender: 'gitlab', file: 'real/gitlab/push_user_name_only.json', send: (b: string) => gitlab('Push Hook', b) },
  ];

  /** Every path to a value in `body` whose key is not required. */
  function optionalPaths(value: unknown, required: string[], path: string[] = []): string[][] {
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) => {
      if (required.includes(key))
        return Array.isArray(child)
          ? optionalPaths(child[0], required, [...path, key, '0'])
          : optionalPaths(child, required, [...path, key]);
      return [[...path, key], ...optionalPaths(child, required, [...path, key])];
    });
  }

  it.each(bodies)('$file: any optional fields set to null are still recorded', async ({ sender, file, send }) => {
    const original = JSON.parse(fixture(file));
    const paths = optionalPaths(original, REQUIRED[sender] ?? []);
    expect(paths.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(fc.subarray(paths, { minLength: 1, maxLength: 12 }), async (chosen) => {
        const body = structuredClone(original);
        for (const path of chosen) {
          let at = body;
          for (const key of path.slice(0, -1)) at = at?.[key];
          if (at && typeof at === 'object') at[path[path.length - 1] as string] = null;
        }
        const response = await send(JSON.stringify(body));
        expect(
          response.status,
          `${chosen.map((p) => p.join('.')).join(', ')}: ${response.text.slice(0, 300)}`,
        ).toBeLessThan(300);
      }),
      { numRuns: 40 },
    );
  });
});

describe('GitLab shapes in the wild', () => {
  it('takes the project of an older Merge Request hook from its target', async () => {
    const response = await gitlab('Merge Request Hook', fixture('real/gitlab/mr_old_no_project.json'));
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ app_name: 'billing-api', user_name: 'd.okafor', uid: 0 });
  });

  it('names the user by display name when the body has no username', async () => {
    expect((await gitlab('Push Hook', fixture('real/gitlab/push_user_name_only.json'))).status).toBe(202);
    const push = await onlyEvent();
    expect(push.user_name).not.toBe('');
    expect(push.uid).toBeGreaterThan(0);
    await table.clear();
    expect((await gitlab('Job Hook', fixture('real/gitlab/job_user_name_only.json'))).status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ operation: 'git_job', user_name: 'Mirek Havel', uid: 42 });
  });

  it('maps a Job hook (only project_id) to the same app as the project path', async () => {
    const response = await gitlab('Build Hook', fixture('real/gitlab/build_hook.json'));
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ operation: 'git_job', app_name: 'ledger-svc', env: 'prod' });
  });

  it('records a Release Hook as git_release', async () => {
    const response = await gitlab('Release Hook', fixture('real/gitlab/release_hook.json'));
    expect(response.status).toBe(202);
    const event = await onlyEvent();
    expect(event).toMatchObject({ operation: 'git_release', app_name: 'edge-gateway' });
    expect(metadataOf(event).tag).toBe('v3.8.0');
  });

  it.each([
    ['real/gitlab/system_push.json', 'git_push'],
    ['real/gitlab/system_tag_push.json', 'git_tag_push'],
    ['real/gitlab/system_merge_request.json', 'git_merge_request'],
  ])('records a System Hook %s', async (file, operation) => {
    const response = await gitlab('System Hook', fixture(file));
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ operation, app_name: 'edge-gateway', user_name: 'y.tanaka' });
  });

  it('records a System Hook push that has event_name but no object_kind, and ignores administration events', async () => {
    const { object_kind: _kind, ...push } = JSON.parse(fixture('real/gitlab/system_push.json'));
    expect((await gitlab('System Hook', JSON.stringify(push))).status).toBe(202);
    expect((await onlyEvent()).operation).toBe('git_push');
    const created = { event_name: 'project_create', name: 'x', path_with_namespace: 'g/x', project_id: 9 };
    const ignored = await gitlab('System Hook', JSON.stringify(created));
    expect(ignored.status).toBe(200);
    expect((ignored.body as Answer).ignored).toBe('GitLab System Hook events of this object_kind are not recorded');
    expect(await stored()).toHaveLength(1);
  });

  it('makes a branch deletion visible in the operation, and keeps 255-character names whole in metadata', async () => {
    expect((await gitlab('Push Hook', fixture('real/gitlab/push_branch_deleted.json'))).status).toBe(202);
    expect((await onlyEvent()).operation).toBe('git_branch_delete');
    await table.clear();
    const body = fixture('real/gitlab/push_long_path.json');
    const response = await gitlab('Push Hook', body);
    expect(response.status).toBe(202);
    const event = await onlyEvent();
    const parsed = JSON.parse(body);
    expect(String(event.user_name)).toHaveLength(191);
    expect(String(event.user_name).endsWith('…')).toBe(true);
    expect(parsed.user_username.startsWith(String(event.user_name).slice(0, 190))).toBe(true);
    expect(metadataOf(event).user_username).toBe(parsed.user_username);
    expect(metadataOf(event).project.path_with_namespace).toHaveLength(255);
  });
});

describe('names and times', () => {
  it('cuts an alert label longer than the record keeps, and keeps it whole in the labels', async () => {
    const app = 'a'.repeat(300);
    const body = JSON.stringify({
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', startsAt: new Date().toISOString(), labels: { alertname: 'X', app } }],
    });
    expect((await alertmanager(body)).status).toBe(202);
    const event = await onlyEvent();
    expect(String(event.app_name)).toHaveLength(191);
    expect(metadataOf(event).labels.app).toBe(app);
  });

  it('dates an alert whose sender clock is ahead by more than 5 minutes when it was received', async () => {
    const future = '5138-11-16T09:46:40Z';
    const body = JSON.stringify({
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', startsAt: future, labels: { alertname: 'Y' } }],
    });
    const before = Math.floor(Date.now() / 1000);
    expect((await alertmanager(body)).status).toBe(202);
    const event = await onlyEvent();
    expect(Number(event.create_time)).toBeGreaterThanOrEqual(before);
    expect(Number(event.create_time)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(metadataOf(event).startsAt).toBe(future);
  });

  it('refuses an envelope create_time more than 5 minutes ahead, naming it, and stores nothing', async () => {
    const body = JSON.stringify({ app_name: 'a', operation: 'confgo_file_create', create_time: 99_999_999_999 });
    const response = await invoke(handlers.confgo, {
      path: '/webhooks/confgo',
      body,
      headers: signStandard(SECRETS.confgo, body),
    });
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toMatch(
      /^create_time: must be a whole number/,
    );
    expect(await table.items()).toEqual([]);
  });
});

describe('redeliveries and replays', () => {
  it('GitHub: the same signed body under a new X-GitHub-Delivery records nothing new', async () => {
    const body = fixture('real/github/pull_request_nullables.json');
    const first = await github('pull_request', body, 'delivery-a');
    const replay = await github('pull_request', body, 'delivery-b');
    expect((first.body as Answer).events[0]?.duplicate).toBe(false);
    expect((replay.body as Answer).events[0]).toMatchObject({
      id: (first.body as Answer).events[0]?.id,
      duplicate: true,
    });
    expect(await stored()).toHaveLength(1);
  });

  it('GitLab: a signed delivery is keyed by its webhook-id; an unsigned Idempotency-Key beside it does not override it', async () => {
    const body = fixture('real/gitlab/system_push.json');
    const signed = (key: string) => {
      const { 'content-type': _type, ...headers } = signStandard(SECRETS.gitlabSigning, body, { id: 'msg_signed_1' });
      return { ...headers, 'idempotency-key': key };
    };
    const first = await gitlab('Push Hook', body, signed('idem-1'));
    const second = await gitlab('Push Hook', body, signed('idem-2'));
    expect(first.status).toBe(202);
    expect((second.body as Answer).events[0]?.duplicate).toBe(true);
    expect(await stored()).toHaveLength(1);
  });

  it('GitLab: with a signing secret configured, the plain X-Gitlab-Token is still accepted (for hooks not yet signed)', async () => {
    const response = await gitlab('Push Hook', fixture('real/gitlab/system_push.json'));
    expect(response.status).toBe(202);
    const wrong = await gitlab('Push Hook', fixture('real/gitlab/system_push.json'), { 'x-gitlab-token': 'nope' });
    expect(wrong.status).toBe(401);
  });
});

describe('errors name the place and never echo the body', () => {
  it('a malformed body with a token in it: the message gives an offset, not the text', async () => {
    const body = '{"app_name":"a","operation":"confgo_file_create","metadata":{"token":"s3cr3t-value"} oops';
    const response = await invoke(handlers.confgo, {
      path: '/webhooks/confgo',
      body,
      headers: signStandard(SECRETS.confgo, body),
    });
    expect(response.status).toBe(400);
    expect(response.text).not.toContain('s3cr3t');
    expect(response.text).not.toContain('oops');
  });

  it('an unknown 50 KB field name is named in at most 200 characters', async () => {
    const name = 'k'.repeat(50_000);
    const body = JSON.stringify({ app_name: 'a', operation: 'confgo_file_create', [name]: 1 });
    const response = await invoke(handlers.confgo, {
      path: '/webhooks/confgo',
      body,
      headers: signStandard(SECRETS.confgo, body),
    });
    expect(response.status).toBe(422);
    expect(response.text.length).toBeLessThan(1_000);
  });

  it('metadata sent as a JSON string gets the same __proto__ and nesting checks as an object', async () => {
    for (const metadata of ['{"__proto__":{"x":1}}', `${'{"a":'.repeat(80)}1${'}'.repeat(80)}`]) {
      const body = JSON.stringify({ app_name: 'a', operation: 'confgo_file_create', metadata });
      const response = await invoke(handlers.confgo, {
        path: '/webhooks/confgo',
        body,
        headers: signStandard(SECRETS.confgo, body),
      });
      expect(response.status).toBe(422);
      expect((response.body as { error: { message: string } }).error.message).toMatch(/^metadata\./);
    }
    expect(await table.items()).toEqual([]);
  });
});
