// Shaping at the smallest metadata budget and at scale: the summary that survives, per kind, and an
// alert's metadata that does not grow with its notification. Pure: no DynamoDB.

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LABELS } from '../../shared/config/types';
import { shapeGitHub } from '../../shared/sources/git/github';
import { shapeGitLab } from '../../shared/sources/git/gitlab';
import { shapeAlerts } from '../../shared/sources/grafana/shape';

const fixture = (path: string) => JSON.parse(readFileSync(resolve(__dirname, '..', 'fixtures', path), 'utf8'));
const context = { projects: new Map(), metadataBudget: 4096, nowSeconds: 1_800_000_000, deliveryKey: 'k' };

function metadataOf(shaped: ReturnType<typeof shapeGitHub>) {
  if ('ignored' in shaped) throw new Error(shaped.ignored);
  const metadata = shaped.events[0]?.draft.metadata ?? '';
  expect(Buffer.byteLength(metadata)).toBeLessThanOrEqual(4096);
  return JSON.parse(metadata);
}

describe('the summary at the smallest budget (4 KiB)', () => {
  it.each([
    ['push', 'git/github_push_branch_with_commit.json', { kind: 'push', ref: 'refs/heads/master' }],
    ['pull_request', 'git/github_pull_request_opened.json', { kind: 'pull_request', action: 'opened', number: 2 }],
    ['release', 'git/github_release_published.json', { kind: 'release', action: 'published', tag_name: '0.0.1' }],
    ['workflow_run', 'git/github_workflow_run_completed.json', { kind: 'workflow_run', action: 'completed' }],
  ])('GitHub %s keeps its essential scalars', (event, file, expected) => {
    const body = fixture(file);
    const metadata = metadataOf(shapeGitHub(event, body, context));
    expect(metadata.summary).toMatchObject({
      sender: 'github',
      repository: body.repository.full_name,
      user: body.sender.login,
      ...expected,
    });
    expect(metadata.truncated.original_bytes).toBeGreaterThan(4096);
  });

  it('a GitLab push keeps ref, before/after and the commit count', () => {
    const body = fixture('git/gitlab_push_hook_large.json');
    const metadata = metadataOf(shapeGitLab('Push Hook', body, context));
    expect(metadata.summary).toMatchObject({
      sender: 'gitlab',
      kind: 'push',
      ref: body.ref,
      before: body.before,
      after: body.after,
      deleted: false,
      commit_count: body.total_commits_count,
    });
  });
});

describe('an alert in a large notification', () => {
  const alert = (n: number) => ({
    status: 'firing',
    labels: { alertname: 'Disk', instance: `h${n}` },
    annotations: {},
    startsAt: '2026-01-01T00:00:00Z',
    fingerprint: `f${n}`,
  });
  const notification = (count: number) => ({
    version: '4',
    receiver: 'r',
    status: 'firing',
    groupKey: `{}:{alertname="Disk"}${'g'.repeat(50_000)}`,
    externalURL: 'https://am.example',
    commonLabels: { alertname: 'Disk' },
    alerts: Array.from({ length: count }, (_, n) => alert(n)),
  });
  const shape = (count: number) =>
    shapeAlerts(notification(count), {
      labels: DEFAULT_LABELS,
      metadataBudget: 64 * 1024,
      nowSeconds: 1_800_000_000,
      rawBody: '',
    });

  it('stores metadata that does not grow with the number of other alerts', () => {
    const few = shape(10).map((e) => Buffer.byteLength(e.draft.metadata));
    const many = shape(1_000).map((e) => Buffer.byteLength(e.draft.metadata));
    // 4 bytes for the longer instance label and fingerprint, 2 for the digits of the group's alertCount.
    expect(Math.max(...many)).toBeLessThanOrEqual(Math.max(...few) + 6);
    expect(Math.max(...many)).toBeLessThan(2_000);
    expect(JSON.parse(shape(1)[0]?.draft.metadata ?? '').groupKey).toHaveLength(1024);
  });
});

describe('a GitHub push of 2,048 commits', () => {
  it('is shaped into one event, its metadata within budget with the newest commits and the summary', () => {
    const commits = Array.from({ length: 2_048 }, (_, n) => {
      const id = createHmac('sha1', 'c').update(String(n)).digest('hex');
      return {
        id,
        tree_id: createHmac('sha1', 't').update(String(n)).digest('hex'),
        distinct: true,
        message: `Generated change ${n}`,
        timestamp: '2026-11-30T10:00:00+01:00',
        url: `https://github.com/acme/monorepo/commit/${id}`,
        author: { name: 'Build Bot', email: 'bot@acme.example', username: 'acme-bot' },
        committer: { name: 'Build Bot', email: 'bot@acme.example', username: 'acme-bot' },
        added: [`pkg/gen/file_${n}.go`],
        removed: [],
        modified: ['pkg/gen/index.go'],
      };
    });
    const last = commits[commits.length - 1];
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: 'a'.repeat(40),
      after: last?.id,
      repository: { id: 1, name: 'monorepo', full_name: 'acme/monorepo', owner: { login: 'acme' } },
      pusher: { name: 'acme-bot', email: null },
      sender: { login: 'acme-bot', id: 99 },
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: 'https://github.com/acme/monorepo/compare/aaaa...bbbb',
      commits,
      head_commit: last,
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_000_000);
    const shaped = shapeGitHub('push', JSON.parse(body), { ...context, metadataBudget: 64 * 1024 });
    if ('ignored' in shaped) throw new Error(shaped.ignored);
    const [event] = shaped.events;
    expect(shaped.events).toHaveLength(1);
    expect(event?.draft).toMatchObject({ operation: 'git_push', app_name: 'monorepo', user_name: 'acme-bot' });
    const metadata = String(event?.draft.metadata);
    expect(Buffer.byteLength(metadata)).toBeLessThanOrEqual(64 * 1024);
    const parsed = JSON.parse(metadata);
    expect(parsed.summary).toMatchObject({ ref: 'refs/heads/main', commit_count: 2_048, repository: 'acme/monorepo' });
    expect(parsed.commits.at(-1).id).toBe(last?.id);
    expect(parsed.truncated.commits.kept + parsed.truncated.commits.dropped).toBe(2_048);
    console.log(
      `limits: a ${Buffer.byteLength(body)}-byte push of 2,048 commits kept ${parsed.truncated.commits.kept} commits in ${Buffer.byteLength(metadata)} bytes`,
    );
  });
});
