// How each sender authenticates its webhook, reproduced for `npm run send` with the credentials of
// the config the local instance serves: the same headers the real sender would put on the body.

import { createHmac, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { Config, GrafanaSourceConfig } from '../../shared/config/types';

export const SENDERS = {
  confgo: 'a Juno envelope, Standard Webhooks signature',
  devops: 'a Juno envelope, Standard Webhooks signature',
  gitlab: 'a GitLab webhook: X-Gitlab-Token; X-Gitlab-Event from object_kind or --event',
  github: 'a GitHub webhook: X-Hub-Signature-256; X-GitHub-Event from --event or the file name',
  grafana: 'Grafana unified alerting: the HMAC signature header (with its timestamp when configured)',
  alertmanager: 'a Prometheus Alertmanager notification: Authorization: Bearer (or Basic)',
  'grafana-legacy': 'a legacy Grafana alert: Authorization: Bearer (or Basic)',
} as const;

export type Sender = keyof typeof SENDERS;

export function isSender(value: string | undefined): value is Sender {
  return value !== undefined && Object.hasOwn(SENDERS, value);
}

export interface Outgoing {
  /** The route, such as /webhooks/git. */
  route: string;
  headers: Record<string, string>;
  /** What the user should know about how the request was made. */
  notes: string[];
}

export interface PrepareOptions {
  /** The body's file, for the GitHub event name. */
  file: string;
  /** The delivery id to (re)use. */
  id?: string | undefined;
  /** The sender's event name (X-Gitlab-Event, X-GitHub-Event). */
  event?: string | undefined;
  now: Date;
  /** The config file's name as the user knows it, for messages. */
  configName: string;
}

/** The route and the headers a real `sender` would send with `body`. */
export function prepare(sender: Sender, body: string, config: Config, options: PrepareOptions): Outgoing {
  const json = { 'content-type': 'application/json' };
  const missing = (section: string) =>
    new Error(
      `${options.configName} has no [junoevent.sources.${section}] section, so /webhooks/${section} refuses everything`,
    );
  switch (sender) {
    case 'confgo':
    case 'devops': {
      const source = config.sources[sender];
      if (source === undefined) throw missing(sender);
      const id = options.id ?? `msg_${randomUUID()}`;
      if (source.secret === undefined) return unsigned(`/webhooks/${sender}`, { ...json, 'webhook-id': id }, options);
      return {
        route: `/webhooks/${sender}`,
        headers: { ...json, ...standardWebhook(source.secret, id, options.now, body) },
        notes: [],
      };
    }
    case 'gitlab': {
      const git = config.sources.git;
      if (git === undefined) throw missing('git');
      const id = options.id ?? randomUUID();
      const headers: Record<string, string> = {
        ...json,
        'X-Gitlab-Event': gitlabEvent(options.event, body),
        'X-Gitlab-Event-UUID': randomUUID(),
        'Idempotency-Key': id,
      };
      if (git.secret !== undefined)
        return { route: '/webhooks/git', headers: { ...headers, 'X-Gitlab-Token': git.secret }, notes: [] };
      if (git.signingSecret !== undefined) {
        return {
          route: '/webhooks/git',
          headers: { ...headers, ...standardWebhook(git.signingSecret, id, options.now, body) },
          notes: [],
        };
      }
      return unsigned('/webhooks/git', headers, options);
    }
    case 'github': {
      const git = config.sources.git;
      if (git === undefined) throw missing('git');
      const headers: Record<string, string> = {
        ...json,
        'X-GitHub-Event': githubEvent(options.event, options.file),
        'X-GitHub-Delivery': options.id ?? randomUUID(),
      };
      if (git.secret === undefined) return unsigned('/webhooks/git', headers, options);
      return {
        route: '/webhooks/git',
        headers: { ...headers, 'X-Hub-Signature-256': `sha256=${hmacHex(git.secret, body)}` },
        notes: [],
      };
    }
    case 'grafana': {
      const grafana = config.sources.grafana;
      if (grafana === undefined) throw missing('grafana');
      if (grafana.secret !== undefined) return grafanaSigned(grafana, grafana.secret, body, options.now, []);
      return authorized(grafana) ?? unsigned('/webhooks/grafana', json, options);
    }
    case 'alertmanager':
    case 'grafana-legacy': {
      const grafana = config.sources.grafana;
      if (grafana === undefined) throw missing('grafana');
      const found = authorized(grafana);
      if (found !== undefined) return found;
      if (grafana.secret !== undefined) {
        const who = sender === 'alertmanager' ? 'Alertmanager' : 'Legacy Grafana alerting';
        return grafanaSigned(grafana, grafana.secret, body, options.now, [
          `${who} sends a bearer token or Basic credentials, and ${options.configName} sets neither under [junoevent.sources.grafana]: signed with the grafana HMAC secret instead.`,
          'To accept a bearer token, put a "token" in the grafana function secret (<data folder>/secrets/grafana.json locally).',
        ]);
      }
      return unsigned('/webhooks/grafana', json, options);
    }
  }
}

function unsigned(route: string, headers: Record<string, string>, options: PrepareOptions): Outgoing {
  return {
    route,
    headers,
    notes: [`${options.configName} sets no credential for ${route}: sent unsigned (allowUnsigned)`],
  };
}

function standardWebhook(secret: string, id: string, now: Date, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, now, body),
  };
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Grafana's HMAC signature: hex HMAC-SHA256 of the body, or of "<timestamp>:<body>" when the config names a timestamp header. */
function grafanaSigned(
  grafana: GrafanaSourceConfig,
  secret: string,
  body: string,
  now: Date,
  notes: string[],
): Outgoing {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let signed = body;
  if (grafana.timestampHeader !== undefined) {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    headers[headerCase(grafana.timestampHeader)] = timestamp;
    signed = `${timestamp}:${body}`;
  }
  headers[headerCase(grafana.signatureHeader)] = hmacHex(secret, signed);
  return { route: '/webhooks/grafana', headers, notes };
}

/** Bearer or Basic, when the grafana section accepts one. */
function authorized(grafana: GrafanaSourceConfig): Outgoing | undefined {
  const json = { 'content-type': 'application/json' };
  if (grafana.token !== undefined) {
    return { route: '/webhooks/grafana', headers: { ...json, Authorization: `Bearer ${grafana.token}` }, notes: [] };
  }
  if (grafana.basic !== undefined) {
    const { username, password } = grafana.basic;
    const credentials = Buffer.from(`${username}:${password}`).toString('base64');
    return { route: '/webhooks/grafana', headers: { ...json, Authorization: `Basic ${credentials}` }, notes: [] };
  }
  return undefined;
}

/** x-grafana-alerting-signature → X-Grafana-Alerting-Signature (config keeps header names in lower case). */
export function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}

const GITLAB_HOOKS: Readonly<Record<string, string>> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  merge_request: 'Merge Request Hook',
  pipeline: 'Pipeline Hook',
  build: 'Job Hook',
  job: 'Job Hook',
  note: 'Note Hook',
  issue: 'Issue Hook',
  wiki_page: 'Wiki Page Hook',
  deployment: 'Deployment Hook',
  release: 'Release Hook',
};

/** X-Gitlab-Event: --event as given ("Push Hook") or as an object kind ("push"), else from the body's object_kind. */
export function gitlabEvent(flag: string | undefined, body: string): string {
  if (flag !== undefined) return / Hook$/.test(flag) ? flag : (GITLAB_HOOKS[flag] ?? hookName(flag));
  let kind: unknown;
  try {
    kind = (JSON.parse(body) as { object_kind?: unknown }).object_kind;
  } catch {
    kind = undefined;
  }
  if (typeof kind !== 'string' || kind === '') {
    throw new Error('the body has no object_kind to name the GitLab event: give --event, such as --event "Push Hook"');
  }
  return GITLAB_HOOKS[kind] ?? hookName(kind);
}

function hookName(kind: string): string {
  return `${kind
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')} Hook`;
}

const GITHUB_EVENTS = [
  'push',
  'pull_request',
  'pull_request_review',
  'release',
  'workflow_run',
  'workflow_job',
  'ping',
  'issues',
  'issue_comment',
  'create',
  'delete',
  'deployment',
  'deployment_status',
  'check_run',
  'check_suite',
];

/** X-GitHub-Event: --event, else the event the file name starts with (github_push.json → push). */
export function githubEvent(flag: string | undefined, file: string): string {
  if (flag !== undefined) return flag;
  const stem = basename(file)
    .replace(/\.json$/i, '')
    .toLowerCase()
    .replace(/^github[_-]/, '')
    .replaceAll('-', '_');
  const found = GITHUB_EVENTS.filter((event) => stem === event || stem.startsWith(`${event}_`)).sort(
    (a, b) => b.length - a.length,
  )[0];
  if (found === undefined) {
    throw new Error(
      `cannot tell the GitHub event from the file name ${basename(file)}: give --event, such as --event push (or name the file github_<event>….json)`,
    );
  }
  return found;
}

/** The request as a curl command (the body from the file, so it is sent byte for byte). */
export function curlCommand(url: string, headers: Record<string, string>, file: string): string {
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const lines = [`curl -sS -X POST ${quote(url)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`  -H ${quote(`${name}: ${value}`)}`);
  lines.push(`  --data-binary @${quote(file)}`);
  return lines.join(' \\\n');
}
