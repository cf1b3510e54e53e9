// The headline of every fixture, made by the production shaping code and then the headline
// function: what a person reads in a list row, per sender and kind.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LABELS } from '../../shared/config/types';
import { HEADLINE_CHARS, headline, headlines } from '../../shared/event/headline';
import { type AppEvent, completeRecord, type EventDraft } from '../../shared/event/record';
import { parseEnvelope } from '../../shared/sources/envelope/envelope';
import { shapeGitHub } from '../../shared/sources/git/github';
import { shapeGitLab } from '../../shared/sources/git/gitlab';
import { shapeAlerts } from '../../shared/sources/grafana/shape';
import { GITLAB_EVENTS } from '../support/fixture-metadata';

const FIXTURES = resolve(__dirname, '..', 'fixtures');
const NOW = 1_800_000_000;
const read = (path: string) => JSON.parse(readFileSync(resolve(FIXTURES, path), 'utf8'));

const GITLAB_HEADERS = GITLAB_EVENTS;

/** The records a fixture becomes, through the shaping its route uses; [] when the kind is ignored. */
function recordsOf(path: string, budget = 65_536): AppEvent[] {
  const body = read(path);
  const git = { projects: new Map(), metadataBudget: budget, nowSeconds: NOW, deliveryKey: 'k' };
  let drafts: EventDraft[];
  if (path.startsWith('grafana/') || path.startsWith('real/grafana/') || path.startsWith('real/alertmanager/')) {
    const alert = { labels: DEFAULT_LABELS, metadataBudget: budget, nowSeconds: NOW, rawBody: '' };
    drafts = shapeAlerts(body, alert).map((shaped) => shaped.draft);
  } else {
    const gitlab = path.includes('gitlab');
    const event = gitlab
      ? path.includes('system_')
        ? 'System Hook'
        : (GITLAB_HEADERS[body.object_kind] ?? '')
      : githubEvent(path);
    const shaped = gitlab ? shapeGitLab(event, body, git) : shapeGitHub(event, body, git);
    drafts = 'ignored' in shaped ? [] : shaped.events.map((e) => e.draft);
  }
  return drafts.map((draft, index) => completeRecord(draft, index + 1));
}

/** The X-GitHub-Event a fixture is sent with, from its name (github_<event>_… or real/github/<event>_…). */
function githubEvent(path: string): string {
  const name = path.split('/').pop() ?? '';
  const known = [
    'pull_request',
    'workflow_run',
    'deployment_status',
    'deployment',
    'release',
    'issues',
    'ping',
    'push',
  ];
  const event = known.find((kind) => name.replace(/^github_/, '').startsWith(kind));
  if (event === undefined) throw new Error(`no GitHub event for ${path}`);
  return event;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return name.endsWith('.json') ? [relative(FIXTURES, path)] : [];
  });
}

const EXPECTED: Record<string, string[]> = {
  'git/github_issues_opened.json': [],
  'git/github_ping.json': [],
  'git/gitlab_note_hook.json': [],
  'git/github_pull_request_opened.json': ['#2 opened: Update the README with new information.'],
  'git/github_push_branch_with_commit.json': ['master ← 1 commit: "Initial commit"'],
  'git/github_push_tag_deleted.json': ['tag simple-tag deleted'],
  'git/github_release_published.json': ['0.0.1'],
  'git/github_workflow_run_completed.json': ['test #163 succeeded on master'],
  'git/gitlab_job_hook.json': ['job test created on gitlab-script-trigger'],
  'git/gitlab_merge_request_hook.json': ['!1 opened: MS-Viewport'],
  'git/gitlab_pipeline_hook.json': ['pipeline #31 passed on master'],
  'git/gitlab_push_hook.json': ['master ← 4 commits: "fixed readme"'],
  'git/gitlab_push_hook_large.json': ['master ← 20 commits: "Refactor search flow, part 20 of 20"'],
  'git/gitlab_tag_push_hook.json': ['tag v1.0.0 pushed'],
  'grafana/alertmanager_v4_mixed.json': [
    'firing · HighErrorRate · order-svc 5xx ratio above 5% on 10.0.1.11:8080 · 3 alerts grouped',
    'resolved · InstanceDown · order-svc instance 10.0.1.12:8080 is down · 3 alerts grouped',
    'firing · HighLatencyP99 · order-svc p99 latency above 1s on 10.0.2.21:8080 · 3 alerts grouped',
  ],
  'grafana/grafana_legacy_alerting.json': ['alerting · Panel Title alert · Notification Message'],
  'grafana/grafana_legacy_ok.json': ['ok · Test rule · Someone is testing the alert notification within grafana.'],
  'grafana/grafana_unified_firing.json': [
    'firing · High memory usage · This alert was triggered for zone us-1 · 2 alerts grouped',
    'firing · High CPU usage · This alert was triggered for zone eu-1 · 2 alerts grouped',
  ],
  'grafana/grafana_unified_firing_v11_values.json': ['firing · Memory (copy) · High memory usage'],
  'grafana/grafana_unified_resolved.json': ['resolved · Test alert · This is a summary field, failure on <no value>'],
  'grafana/unified_with_app_labels.json': [
    'firing · High memory usage · This alert was triggered for zone us-1 · 2 alerts grouped',
    'firing · High CPU usage · This alert was triggered for zone eu-1 · 2 alerts grouped',
  ],
  'real/alertmanager/am_nulls.json': [
    'firing · NodeFilesystemAlmostFull · Only 3.1% left on /var/lib/kafka · 5 alerts grouped',
    'resolved · WatchdogHeartbeatMissing · 5 alerts grouped',
  ],
  'real/github/pull_request_nullables.json': ['#214 closed: Cache FX rates for 10 minutes'],
  'real/github/push_nullable.json': ['branch feature/fx-rates-cache deleted'],
  'real/github/release_nulls.json': ['v1.14.2'],
  'real/github/deployment_created.json': ['deploy created: v2.3.0 (4be1c0d) to production'],
  'real/github/deployment_status_failure.json': ['deploy failure: v2.3.0 (4be1c0d) to production'],
  'real/gitlab/deployment_hook.json': ['deployed v3.8.0 (e1f2a3b) to production'],
  'real/gitlab/deployment_hook_api.json': ['deploy running: main (9c1d2e3) to staging/eu-1'],
  'real/gitlab/build_hook.json': ['job package running on release/2.4'],
  'real/gitlab/job_user_name_only.json': ['job test:unit failed on master'],
  'real/gitlab/mr_old_no_project.json': ['!87 opened: Fix VAT rounding for multi-currency invoices'],
  'real/gitlab/push_branch_deleted.json': ['branch tenant-burst deleted'],
  'real/gitlab/push_long_path.json': ['main ← 1 commit: "Regenerate sidecar templates [skip ci]"'],
  'real/gitlab/push_user_name_only.json': ['master ← 2 commits: "Log reconcile batch size"'],
  'real/gitlab/release_hook.json': ['v3.8.0 · Edge Gateway 3.8.0'],
  'real/gitlab/system_merge_request.json': ['!418 opened: Add per-tenant burst setting'],
  'real/gitlab/system_push.json': ['main ← 1 commit: "Tune upstream keepalive"'],
  'real/gitlab/system_tag_push.json': ['tag v3.8.1 pushed'],
  'real/grafana/unified_error.json': [
    'firing · DatasourceError (Replication lag above 30s) · Replica lag check cannot evaluate for orders-db · 3 alerts grouped',
    'firing · DatasourceError (Connection pool saturation) · Pool usage high on orders-db · 3 alerts grouped',
  ],
  'real/grafana/unified_nodata.json': ['firing · DatasourceNoData (Checkout p95 latency above 800ms)'],
  'real/grafana/unified_test_notification.json': ['firing · TestAlert · Notification test'],
};

describe('the headline of every fixture', () => {
  it('has an expected headline for every fixture file, and no expectation without a file', () => {
    expect(walk(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (path, expected) => {
    expect(recordsOf(path).map(headline)).toEqual(expected);
  });
});

describe('a headline from metadata cut to its budget', () => {
  it('reads a 116 KB push from the summary that survives at 4 KiB', () => {
    const [record] = recordsOf('git/gitlab_push_hook_large.json', 4096);
    expect(JSON.parse(record?.metadata ?? '').truncated).toBeDefined();
    expect(record && headline(record)).toMatch(/^master ← 20 commits/);
  });

  it('reads a merge request, a pipeline and a pull request from their summaries alone', () => {
    const cut = (operation: AppEvent['operation'], summary: object) =>
      headline({
        operation,
        operation_name: 'x',
        env: '',
        host_name: '',
        metadata: JSON.stringify({ summary, truncated: {} }),
      });
    expect(cut('git_merge_request', { sender: 'gitlab', iid: 42, action: 'merge', title: 'Add rate limiter' })).toBe(
      '!42 merged: Add rate limiter',
    );
    expect(cut('git_pipeline', { sender: 'gitlab', id: 981, status: 'failed', ref: 'main' })).toBe(
      'pipeline #981 failed on main',
    );
    expect(cut('grafana_alert_notification', { format: 'grafana', status: 'firing', alertname: 'HighLatency' })).toBe(
      'firing · HighLatency',
    );
  });
});

describe('envelopes from confgo and devops', () => {
  const envelope = (source: 'confgo' | 'devops', body: object) =>
    headline(completeRecord(parseEnvelope(source, body, NOW), 1));

  it('a config publish names the file and the history entry published', () => {
    const body = JSON.parse(
      readFileSync(resolve(__dirname, '..', '..', 'examples', 'confgo_file_publish.json'), 'utf8'),
    );
    expect(envelope('confgo', body)).toBe('config-prod.toml published · history #31');
    const update = { app_name: 'a', operation: 'confgo_file_update', metadata: { name: 'db.toml', version: 'v42' } };
    expect(envelope('confgo', update)).toBe('db.toml updated · version v42');
  });

  it('a deploy names its version, environment and hosts', () => {
    const deploy = {
      app_name: 'user-svc',
      env: 'prod',
      host_name: ['h1', 'h2', 'h3', 'h4', 'h5'],
      operation: 'devops_deploy',
      metadata: { version: 'v1.8.0' },
    };
    expect(envelope('devops', deploy)).toBe('deployed v1.8.0 to prod on h1, h2, h3 +2 more');
    const rollback = { ...deploy, operation: 'devops_rollback', host_name: 'h1', metadata: { commit_id: 'a1b2c3' } };
    expect(envelope('devops', rollback)).toBe('rolled back to a1b2c3 in prod on h1');
  });

  it('a node restart names the node and how', () => {
    const body = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'examples', 'app_node_restart.json'), 'utf8'));
    expect(envelope('devops', body)).toBe('restarted host-a (supervisor)');
  });

  it('falls back to the operation name when the metadata says nothing it can use', () => {
    expect(envelope('confgo', { app_name: 'a', operation: 'confgo_file_publish' })).toBe('配置发布');
    expect(envelope('devops', { app_name: 'a', operation: 'devops_deploy', metadata: { other: 1 } })).toBe('应用部署');
  });
});

describe('the headline’s form', () => {
  const record = (metadata: object) => ({
    operation: 'grafana_alert_notification' as const,
    operation_name: 'Grafana 监控告警',
    env: '',
    host_name: '',
    metadata: JSON.stringify(metadata),
  });

  it(`is one line of at most ${HEADLINE_CHARS} characters, the last one "…" when cut`, () => {
    const text = headline(
      record({ status: 'firing', labels: { alertname: 'A' }, annotations: { summary: `x\n${'y'.repeat(500)}` } }),
    );
    expect(text).toHaveLength(HEADLINE_CHARS);
    expect(text).toMatch(/^firing · A · x y+…$/);
  });

  it('survives metadata that is not a JSON object', () => {
    expect(headline({ ...record({}), metadata: 'not json' })).toBe('Grafana 监控告警');
    expect(headline({ ...record({}), metadata: '[1,2]' })).toBe('Grafana 监控告警');
  });

  it('maps ids to headlines for a list', () => {
    expect(headlines([{ ...record({ status: 'ok' }), id: 7 }])).toEqual({ '7': 'Grafana 监控告警' });
  });
});
