// Shaping at the smallest metadata budget and at scale: the summary that survives, per kind, and an
// alert's metadata that does not grow with its notification. Pure: no DynamoDB.

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
