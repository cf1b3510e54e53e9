// A small history of every source, posted as signed webhooks to a running service (npm start): what
// the page tests look at. Changes and alerts of two apps over the last hours, one older event, and a
// GitLab push; each response is checked against openapi.json.

import { createHmac } from 'node:crypto';
import { fixture } from './config';
import { contractFetch } from './contract';
import { signStandard } from './http';

export interface Seeded {
  /** Stored ids by label. */
  ids: Record<string, number>;
  /** The app the GitLab push is recorded under (the project's name: no project map under npm start). */
  gitApp: string;
}

interface Secrets {
  confgo: string;
  devops: string;
  grafana: string;
  git: string;
}

const HOUR = 3600;

export async function seedEvents(base: string, secrets: Secrets, nowSeconds = Math.floor(Date.now() / 1000)) {
  const ids: Record<string, number> = {};
  const accepted = async (label: string, response: Response) => {
    const body = (await response.json()) as { events?: { id: number }[] };
    const id = body.events?.[0]?.id;
    if (response.status !== 202 || id === undefined) throw new Error(`seeding ${label}: ${response.status}`);
    ids[label] = id;
  };
  const envelope = async (label: string, source: 'confgo' | 'devops', fields: Record<string, unknown>) => {
    const body = JSON.stringify(fields);
    await accepted(
      label,
      await contractFetch(`${base}/webhooks/${source}`, {
        method: 'POST',
        headers: signStandard(secrets[source], body),
        body,
      }),
    );
  };
  const alert = async (label: string, app: string, name: string, at: number) => {
    const body = JSON.stringify({
      receiver: 'junoevent',
      status: 'firing',
      orgId: 1,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: name, app, env: 'prod', severity: 'critical', instance: `${app}-1:9100` },
          annotations: { summary: `${name} on ${app}` },
          startsAt: new Date(at * 1000).toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'https://grafana.example.com/alerting/1/edit',
          fingerprint: `${label}-${at}`,
          values: { B: 97.5 },
        },
      ],
      groupLabels: { alertname: name },
      commonLabels: { alertname: name },
      externalURL: 'https://grafana.example.com/',
      version: '1',
      groupKey: `{}:{alertname="${name}"}`,
      title: `[FIRING:1] ${name}`,
      message: `${name} on ${app}`,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secrets.grafana).update(`${timestamp}:${body}`).digest('hex');
    await accepted(
      label,
      await contractFetch(`${base}/webhooks/grafana`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-grafana-alerting-signature': signature,
          'x-grafana-alerting-timestamp': timestamp,
        },
        body,
      }),
    );
  };

  const common = { aid: 42, zone_code: 'cn-sh-01', operator_type: 'user' };
  await envelope('pay-old', 'confgo', {
    ...common,
    app_name: 'pay-svc',
    env: 'prod',
    operation: 'confgo_file_update',
    user_name: 'carol',
    create_time: nowSeconds - 3 * 24 * HOUR,
    metadata: { configuration_id: 3, file: 'pay.toml' },
  });
  await envelope('order-restart', 'devops', {
    ...common,
    app_name: 'order-svc',
    env: 'staging',
    operation: 'devops_restart',
    user_name: 'dave',
    host_name: ['order-1', 'order-2'],
    create_time: nowSeconds - 5 * HOUR,
  });
  await envelope('user-publish', 'confgo', {
    ...common,
    app_name: 'user-svc',
    env: 'prod',
    operation: 'confgo_file_publish',
    user_name: 'alice',
    uid: 7,
    host_name: 'host-a,host-b',
    create_time: nowSeconds - 3 * HOUR,
    metadata: { configuration_id: 10, file: 'user.toml', version: 'v42', diff: { timeout: ['3s', '30s'] } },
  });
  await envelope('user-deploy', 'devops', {
    ...common,
    app_name: 'user-svc',
    env: 'prod',
    operation: 'devops_deploy',
    user_name: 'bob',
    host_name: ['host-a', 'host-b'],
    create_time: nowSeconds - 2 * HOUR,
    metadata: { version: 'v1.8.0', image: 'registry.example.com/user-svc:1.8.0' },
  });
  await alert('user-alert', 'user-svc', 'HighErrorRate', nowSeconds - 100 * 60);
  await envelope('order-publish', 'confgo', {
    ...common,
    app_name: 'order-svc',
    env: 'prod',
    operation: 'confgo_file_publish',
    user_name: 'erin',
    create_time: nowSeconds - 40 * 60,
    metadata: { configuration_id: 21, file: 'order.toml' },
  });
  await alert('order-alert', 'order-svc', 'HighLatency', nowSeconds - 25 * 60);

  const push = fixture('git/gitlab_push_hook.json');
  await accepted(
    'git-push',
    await contractFetch(`${base}/webhooks/git`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': secrets.git,
        'idempotency-key': `seed-${nowSeconds}`,
      },
      body: push,
    }),
  );
  const project: unknown = JSON.parse(push).project;
  const gitApp =
    typeof project === 'object' && project !== null && 'name' in project ? String(project.name) : 'unknown';
  return { ids, gitApp } satisfies Seeded;
}
