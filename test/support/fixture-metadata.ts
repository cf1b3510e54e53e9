// Every fixture body under test/fixtures, and the metadata each one is shaped into (git and alert
// shaping, with the default 64 KiB budget): the texts the store really writes.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { DEFAULT_LABELS, DEFAULT_METADATA_BUDGET } from '../../shared/config/types';
import type { Shaped } from '../../shared/sources/family';
import { shapeGitHub } from '../../shared/sources/git/github';
import { shapeGitLab } from '../../shared/sources/git/gitlab';
import { shapeAlerts } from '../../shared/sources/grafana/shape';

const FIXTURES = resolve(__dirname, '..', 'fixtures');

/** The X-Gitlab-Event of a GitLab body by its object_kind; bodies with only event_name are System Hooks. */
export const GITLAB_EVENTS: Readonly<Record<string, string>> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  merge_request: 'Merge Request Hook',
  pipeline: 'Pipeline Hook',
  build: 'Job Hook',
  release: 'Release Hook',
  deployment: 'Deployment Hook',
  note: 'Note Hook',
};
/** The X-GitHub-Event of a GitHub body, by its file name (longest names first). */
const GITHUB_EVENTS = ['workflow_run', 'pull_request', 'deployment_status', 'deployment', 'release', 'push'];

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(path);
    return path.endsWith('.json') ? [path] : [];
  });
}

export interface FixtureText {
  /** The fixture's path under test/fixtures, and what the text is: the body as sent, or an event's metadata. */
  name: string;
  text: string;
}

/** Every fixture body as it is sent. */
export function fixtureBodies(): FixtureText[] {
  return jsonFiles(FIXTURES).map((path) => ({ name: relative(FIXTURES, path), text: readFileSync(path, 'utf8') }));
}

/** The metadata of every event each fixture body is shaped into (kinds that are not recorded give none). */
export function fixtureMetadata(): FixtureText[] {
  return fixtureBodies().flatMap(({ name, text }) => {
    const shaped = shape(name, text);
    if ('ignored' in shaped) return [];
    return shaped.events.map((event, n) => ({ name: `${name} event ${n}`, text: event.draft.metadata }));
  });
}

function shape(name: string, text: string): Shaped {
  const body = JSON.parse(text);
  const nowSeconds = 1_800_000_000;
  const metadataBudget = DEFAULT_METADATA_BUDGET;
  if (/grafana|alertmanager/.test(name)) {
    return { events: shapeAlerts(body, { labels: DEFAULT_LABELS, metadataBudget, nowSeconds, rawBody: text }) };
  }
  const context = { projects: new Map(), metadataBudget, nowSeconds, deliveryKey: 'fixture' };
  if (body.object_kind !== undefined || body.event_name !== undefined) {
    return shapeGitLab(GITLAB_EVENTS[body.object_kind] ?? 'System Hook', body, context);
  }
  const file = basename(name, '.json');
  return shapeGitHub(GITHUB_EVENTS.find((event) => file.includes(event)) ?? 'ping', body, context);
}
