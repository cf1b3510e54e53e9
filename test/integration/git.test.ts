// The git function with GitLab and GitHub fixtures, authenticated as each sender does, against the
// embedded DynamoDB.

import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixture, SECRETS } from '../support/config';
import { useFunctions } from '../support/functions';
import { invoke, signStandard } from '../support/http';

const { table, handlers } = useFunctions();
const { git } = handlers;

type Accepted = { events: { id: number; operation: string; duplicate: boolean }[]; ignored?: string };

function gitlab(event: string, body: string, headers: Record<string, string> = {}) {
  return invoke(git, {
    path: '/webhooks/git',
    body,
    headers: { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': SECRETS.git, ...headers },
  });
}

function githubSignature(body: string, secret: string = SECRETS.git): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function github(event: string, body: string, headers: Record<string, string> = {}) {
  return invoke(git, {
    path: '/webhooks/git',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': `delivery-${Math.random()}`,
      'x-hub-signature-256': githubSignature(body),
      ...headers,
    },
  });
}

async function onlyEvent() {
  const events = await table.events();
  expect(events).toHaveLength(1);
  return events[0] ?? {};
}

describe('GitLab', () => {
  it('records a Push Hook with identity from the project map, keeping the body as metadata', async () => {
    const body = fixture('git/gitlab_push_hook.json');
    const response = await gitlab('Push Hook', body);
    expect(response.status).toBe(202);
    expect((response.body as Accepted).events[0]?.operation).toBe('git_push');
    const event = await onlyEvent();
    expect(event).toMatchObject({
      app_name: 'diaspora-svc',
      aid: 15,
      env: 'prod',
      zone_code: 'cn-sh-01',
      host_name: '',
      operator_type: 'user',
      user_name: 'jsmith',
      uid: 4,
      operation: 'git_push',
      operation_name: '代码推送',
      source: 'git',
      source_name: 'git 事件',
    });
    expect(JSON.parse(String(event.metadata))).toEqual(JSON.parse(body));
  });

  it.each([
    ['Tag Push Hook', 'git/gitlab_tag_push_hook.json', 'git_tag_push', 'Example', 0],
    ['Merge Request Hook', 'git/gitlab_merge_request_hook.json', 'git_merge_request', 'Gitlab Test', 0],
    ['Pipeline Hook', 'git/gitlab_pipeline_hook.json', 'git_pipeline', 'gitlab-test-svc', 380],
    ['Job Hook', 'git/gitlab_job_hook.json', 'git_job', 'gitlab-test-svc', 380],
  ])('records a %s as %s', async (event, file, operation, appName, aid) => {
    const response = await gitlab(event, fixture(file));
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ operation, app_name: appName, aid, source: 'git' });
  });

  it('answers 200 and records nothing for an event kind it does not record', async () => {
    const response = await gitlab('Note Hook', fixture('git/gitlab_note_hook.json'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ events: [], ignored: 'GitLab events of this X-Gitlab-Event are not recorded' });
    expect(await table.items()).toEqual([]);
  });

  it('records a retried delivery (same Idempotency-Key) once', async () => {
    const body = fixture('git/gitlab_push_hook.json');
    const first = await gitlab('Push Hook', body, { 'idempotency-key': 'f0b2c7a4-1' });
    const retry = await gitlab('Push Hook', body, { 'idempotency-key': 'f0b2c7a4-1' });
    expect((retry.body as Accepted).events[0]).toEqual({ ...(first.body as Accepted).events[0], duplicate: true });
    expect(await table.events()).toHaveLength(1);
  });

  it('without an Idempotency-Key (GitLab before 17.4), dedups on the body', async () => {
    const body = fixture('git/gitlab_push_hook.json');
    await gitlab('Push Hook', body);
    await gitlab('Push Hook', body);
    expect(await table.events()).toHaveLength(1);
  });

  it("keeps a token-only Idempotency-Key from claiming a later signed delivery's webhook-id", async () => {
    const crafted = await gitlab('Push Hook', fixture('git/gitlab_push_hook.json'), { 'idempotency-key': 'msg_later' });
    expect(crafted.status).toBe(202);
    const body = fixture('git/gitlab_tag_push_hook.json');
    const headers = {
      ...signStandard(SECRETS.gitlabSigning, body, { id: 'msg_later' }),
      'x-gitlab-event': 'Tag Push Hook',
    };
    const signed = await invoke(git, { path: '/webhooks/git', body, headers });
    expect(signed.status).toBe(202);
    expect((signed.body as Accepted).events[0]?.duplicate).toBe(false);
    expect((await table.events()).map((event) => event.operation).sort()).toEqual(['git_push', 'git_tag_push']);
  });

  it("keeps a token-only Idempotency-Key from claiming a later body's hash key", async () => {
    const later = fixture('git/gitlab_tag_push_hook.json');
    const bodyKey = `body:${createHash('sha256').update(later).digest('base64url')}`;
    const crafted = await gitlab('Push Hook', fixture('git/gitlab_push_hook.json'), { 'idempotency-key': bodyKey });
    expect(crafted.status).toBe(202);
    const response = await gitlab('Tag Push Hook', later);
    expect(response.status).toBe(202);
    expect((response.body as Accepted).events[0]?.duplicate).toBe(false);
    expect((await table.events()).map((event) => event.operation).sort()).toEqual(['git_push', 'git_tag_push']);
  });

  it('records 20 concurrent copies of one delivery exactly once', async () => {
    const body = fixture('git/gitlab_merge_request_hook.json');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => gitlab('Merge Request Hook', body, { 'idempotency-key': 'concurrent-1' })),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    expect(await table.events()).toHaveLength(1);
  });

  it('accepts a Standard Webhooks signed delivery (GitLab signing token)', async () => {
    const body = fixture('git/gitlab_tag_push_hook.json');
    const headers = { ...signStandard(SECRETS.gitlabSigning, body), 'x-gitlab-event': 'Tag Push Hook' };
    const response = await invoke(git, { path: '/webhooks/git', body, headers });
    expect(response.status).toBe(202);
  });

  it('keeps a 116 KB push within the metadata budget: ref, project, user and the newest commits', async () => {
    const body = fixture('git/gitlab_push_hook_large.json');
    expect(Buffer.byteLength(body)).toBeGreaterThan(100_000);
    const response = await gitlab('Push Hook', body);
    expect(response.status).toBe(202);
    const event = await onlyEvent();
    const metadata = JSON.parse(String(event.metadata));
    expect(Buffer.byteLength(String(event.metadata))).toBeLessThanOrEqual(64 * 1024);
    const original = JSON.parse(body);
    expect(metadata).toMatchObject({
      ref: original.ref,
      before: original.before,
      after: original.after,
      project: original.project,
      user_username: original.user_username,
      total_commits_count: 20,
    });
    const kept = metadata.truncated.commits.kept;
    expect(kept).toBeGreaterThan(0);
    expect(metadata.truncated.commits).toEqual({ kept, dropped: 20 - kept });
    expect(metadata.commits).toEqual(original.commits.slice(-kept));
    expect(metadata.truncated.original_bytes).toBe(Buffer.byteLength(JSON.stringify(original)));
  });

  it.each([
    ['no token', { 'x-gitlab-token': '' }, 'invalid_token'],
    ['a wrong token', { 'x-gitlab-token': 'not-the-secret' }, 'invalid_token'],
  ])('answers 401 for %s', async (_name, headers, code) => {
    const response = await gitlab('Push Hook', fixture('git/gitlab_push_hook.json'), headers);
    expect(response.status).toBe(401);
    expect((response.body as { error: { code: string } }).error.code).toBe(code);
    expect(await table.items()).toEqual([]);
  });

  it('answers 401 without any credential', async () => {
    const body = fixture('git/gitlab_push_hook.json');
    const response = await invoke(git, {
      path: '/webhooks/git',
      body,
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' },
    });
    expect(response.status).toBe(401);
    expect((response.body as { error: { code: string } }).error.code).toBe('missing_signature');
  });

  it('answers 401 for a Standard Webhooks signature made with another secret', async () => {
    const body = fixture('git/gitlab_tag_push_hook.json');
    const headers = { ...signStandard(SECRETS.confgo, body), 'x-gitlab-event': 'Tag Push Hook' };
    expect((await invoke(git, { path: '/webhooks/git', body, headers })).status).toBe(401);
  });

  it('answers 422 when the body is not the event the header claims', async () => {
    const response = await gitlab('Push Hook', fixture('git/gitlab_merge_request_hook.json'));
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toBe(
      'object_kind: must be "push" for a Push Hook (got a string of 13 characters)',
    );
    expect(await table.items()).toEqual([]);
  });

  it('answers 422 naming the field for wrong types', async () => {
    const body = JSON.stringify({ ...JSON.parse(fixture('git/gitlab_push_hook.json')), user_id: 'four' });
    const response = await gitlab('Push Hook', body);
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toMatch(/^user_id:/);
  });
});

describe('GitHub', () => {
  it('records a push with identity from the repository map and the sender', async () => {
    const body = fixture('git/github_push_branch_with_commit.json');
    const response = await github('push', body);
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({
      app_name: 'hello-svc',
      aid: 7,
      env: 'staging',
      zone_code: '',
      user_name: 'Codertocat',
      uid: 21031067,
      operation: 'git_push',
      operator_type: 'user',
    });
  });

  it.each([
    ['push', 'git/github_push_tag_deleted.json', 'git_tag_delete', 'hello-svc'],
    ['pull_request', 'git/github_pull_request_opened.json', 'git_merge_request', 'hello-svc'],
    ['release', 'git/github_release_published.json', 'git_release', 'hello-svc'],
    ['workflow_run', 'git/github_workflow_run_completed.json', 'git_pipeline', 'octo-repo'],
  ])('records a %s (%s) as %s', async (event, file, operation, appName) => {
    const response = await github(event, fixture(file));
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ operation, app_name: appName, operation_name: expect.any(String) });
  });

  it('keeps a 28 KB pull request body whole (under the budget)', async () => {
    const body = fixture('git/github_pull_request_opened.json');
    await github('pull_request', body);
    expect(JSON.parse(String((await onlyEvent()).metadata))).toEqual(JSON.parse(body));
  });

  it('answers ping with 200 and records nothing', async () => {
    const response = await github('ping', fixture('git/github_ping.json'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ events: [], ignored: 'ping' });
    expect(await table.items()).toEqual([]);
  });

  it('answers 200 for an event kind it does not record', async () => {
    const response = await github('issues', fixture('git/github_issues_opened.json'));
    expect(response.status).toBe(200);
    expect((response.body as Accepted).ignored).toBe('GitHub events of this X-GitHub-Event are not recorded');
  });

  it('accepts a form-encoded delivery, checking the signature over the raw form', async () => {
    const json = fixture('git/github_release_published.json');
    const body = new URLSearchParams({ payload: json }).toString();
    const response = await github('release', body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-hub-signature-256': githubSignature(body),
    });
    expect(response.status).toBe(202);
    expect((await onlyEvent()).operation).toBe('git_release');
  });

  it('records a redelivery (same X-GitHub-Delivery) once', async () => {
    const body = fixture('git/github_release_published.json');
    await github('release', body, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
    const again = await github('release', body, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
    expect((again.body as Accepted).events[0]?.duplicate).toBe(true);
    expect(await table.events()).toHaveLength(1);
  });

  it.each([
    [
      'a signature made with another secret',
      { 'x-hub-signature-256': githubSignature('x', 'other') },
      'invalid_signature',
    ],
    ['a missing signature', { 'x-hub-signature-256': '' }, 'invalid_signature'],
  ])('answers 401 for %s and stores nothing', async (_name, headers, code) => {
    const response = await github('push', fixture('git/github_push_branch_with_commit.json'), headers);
    expect(response.status).toBe(401);
    expect((response.body as { error: { code: string } }).error.code).toBe(code);
    expect(await table.items()).toEqual([]);
  });

  it('answers 422 for a push without its repository', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const response = await github('push', body);
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toBe('repository: must be present');
  });
});

describe('deploys reported by CI', () => {
  it('records a GitHub deployment_status as git_deployment: the app from the project map, env the environment', async () => {
    const body = fixture('real/github/deployment_status_failure.json');
    const response = await github('deployment_status', body);
    expect(response.status).toBe(202);
    expect((response.body as Accepted).events[0]?.operation).toBe('git_deployment');
    const event = await onlyEvent();
    expect(event).toMatchObject({
      app_name: 'checkout-svc',
      aid: 31,
      // The deployment's environment, not the project map's "prod".
      env: 'production',
      operator_type: 'user',
      user_name: 'argocd-deployer',
      uid: 131045512,
      operation: 'git_deployment',
      operation_name: '流水线部署',
      source: 'git',
    });
    expect(JSON.parse(String(event.metadata))).toEqual(JSON.parse(body));
  });

  it('records the GitHub deployment event itself, when CI creates the deployment', async () => {
    const response = await github('deployment', fixture('real/github/deployment_created.json'));
    expect(response.status).toBe(202);
    expect(await onlyEvent()).toMatchObject({
      operation: 'git_deployment',
      app_name: 'checkout-svc',
      env: 'production',
    });
  });

  it('records a GitLab Deployment Hook, and one whose user, job and URLs are null', async () => {
    expect((await gitlab('Deployment Hook', fixture('real/gitlab/deployment_hook.json'))).status).toBe(202);
    expect(await onlyEvent()).toMatchObject({
      app_name: 'ledger-svc',
      aid: 73,
      zone_code: 'eu-central',
      env: 'production',
      user_name: 'ytanaka',
      uid: 88,
      operation: 'git_deployment',
    });
    await table.clear();
    expect((await gitlab('Deployment Hook', fixture('real/gitlab/deployment_hook_api.json'))).status).toBe(202);
    expect(await onlyEvent()).toMatchObject({ app_name: 'ledger-svc', env: 'staging/eu-1', user_name: '', uid: 0 });
  });

  it('answers 422 naming the field for a deployment_status without its state', async () => {
    const body = JSON.parse(fixture('real/github/deployment_status_failure.json'));
    delete body.deployment_status.state;
    const response = await github('deployment_status', JSON.stringify(body));
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toContain('deployment_status.state');
  });
});

describe('neither sender', () => {
  it('answers 400 without X-Gitlab-Event or X-GitHub-Event', async () => {
    const response = await invoke(git, {
      path: '/webhooks/git',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect((response.body as { error: { code: string } }).error.code).toBe('unknown_sender');
  });
});
