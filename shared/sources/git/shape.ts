// Shaping GitLab and GitHub webhooks into events. Pure: no I/O. Kinds we do not record are
// reported as ignored (the route answers 200), because GitLab disables hooks that keep failing.

import type { GitSourceConfig, ProjectIdentity } from '../../config/config';
import type { Operation } from '../../event/catalog';
import { FieldError, ObjectReader } from '../../event/fields';
import { fitMetadata } from '../../event/metadata';
import type { ShapedEvent } from '../../event/record';

export type GitShape = { events: ShapedEvent[] } | { ignored: string };

export interface GitContext {
  projects: GitSourceConfig['projects'];
  metadataBudget: number;
  nowSeconds: number;
  dedupKey: string;
}

const GITLAB_KINDS: Readonly<Record<string, { operation: Operation; objectKind: string }>> = {
  'Push Hook': { operation: 'git_push', objectKind: 'push' },
  'Tag Push Hook': { operation: 'git_tag_push', objectKind: 'tag_push' },
  'Merge Request Hook': { operation: 'git_merge_request', objectKind: 'merge_request' },
  'Pipeline Hook': { operation: 'git_pipeline', objectKind: 'pipeline' },
  'Job Hook': { operation: 'git_job', objectKind: 'build' },
};

const GITHUB_KINDS: Readonly<Record<string, Operation>> = {
  push: 'git_push',
  pull_request: 'git_merge_request',
  release: 'git_release',
  workflow_run: 'git_pipeline',
};

const MAX_NAME = 191;

/** What metadata keeps longest when a body is over budget: where, what and who. */
const KEEP = [
  'object_kind',
  'event_name',
  'event_type',
  'action',
  'ref',
  'before',
  'after',
  'checkout_sha',
  'created',
  'deleted',
  'forced',
  'compare',
  'number',
  'user_id',
  'user_name',
  'user_username',
  'user',
  'project_id',
  'project',
  'repository',
  'pusher',
  'sender',
  'total_commits_count',
  'commits',
  'head_commit',
];

export function shapeGitLab(event: string, body: unknown, context: GitContext): GitShape {
  const kind = Object.hasOwn(GITLAB_KINDS, event) ? GITLAB_KINDS[event] : undefined;
  if (kind === undefined) return { ignored: `GitLab ${event} events are not recorded` };
  const hook = ObjectReader.of(body, '');
  const objectKind = hook.string('object_kind');
  if (objectKind !== kind.objectKind) {
    throw new FieldError('object_kind', `"${kind.objectKind}" for a ${event}`, objectKind);
  }
  const project = hook.child('project');
  const repository = hook.child('repository');
  const projectId = project?.optionalInteger('id') ?? hook.optionalInteger('project_id');
  const path = project?.optionalString('path_with_namespace', { max: 1024 });
  const name =
    project?.optionalString('name', { max: MAX_NAME }) ??
    repository?.optionalString('name', { max: MAX_NAME }) ??
    hook.optionalString('project_name', { max: MAX_NAME });
  if (projectId === undefined && path === undefined) {
    throw new FieldError('project', 'an object with id or path_with_namespace');
  }
  const user = hook.child('user');
  const userName =
    hook.optionalString('user_username', { max: MAX_NAME }) ??
    user?.optionalString('username', { max: MAX_NAME }) ??
    '';
  const uid = hook.optionalInteger('user_id') ?? user?.optionalInteger('id') ?? 0;
  const mapped = lookup(context.projects, [projectId === undefined ? undefined : String(projectId), path]);
  return {
    events: [gitEvent(kind.operation, name ?? path ?? '', mapped, userName, uid, body, context)],
  };
}

export function shapeGitHub(event: string, body: unknown, context: GitContext): GitShape {
  if (event === 'ping') return { ignored: 'ping' };
  const base = Object.hasOwn(GITHUB_KINDS, event) ? GITHUB_KINDS[event] : undefined;
  if (base === undefined) return { ignored: `GitHub ${event} events are not recorded` };
  const hook = ObjectReader.of(body, '');
  const repository = hook.child('repository');
  if (repository === undefined) throw new FieldError('repository', 'present');
  const fullName = repository.string('full_name', { nonEmpty: true, max: 1024 });
  const name = repository.string('name', { nonEmpty: true, max: MAX_NAME });
  const sender = hook.child('sender');
  let operation = base;
  if (event === 'push') {
    const ref = hook.string('ref', { max: 1024 });
    if (ref.startsWith('refs/tags/')) operation = 'git_tag_push';
  }
  const userName = sender?.optionalString('login', { max: MAX_NAME }) ?? '';
  const uid = sender?.optionalInteger('id') ?? 0;
  return {
    events: [gitEvent(operation, name, lookup(context.projects, [fullName]), userName, uid, body, context)],
  };
}

function lookup(projects: GitContext['projects'], keys: readonly (string | undefined)[]): ProjectIdentity | undefined {
  for (const key of keys) {
    const found = key === undefined ? undefined : projects.get(key);
    if (found !== undefined) return found;
  }
  return undefined;
}

function gitEvent(
  operation: Operation,
  repositoryName: string,
  mapped: ProjectIdentity | undefined,
  userName: string,
  uid: number,
  body: unknown,
  context: GitContext,
): ShapedEvent {
  const metadataSource = ObjectReader.of(body, '');
  const plain: Record<string, unknown> = {};
  for (const key of metadataSource.keys()) plain[key] = metadataSource.raw(key);
  return {
    draft: {
      app_name: mapped?.app_name ?? repositoryName,
      aid: mapped?.aid ?? 0,
      zone_code: mapped?.zone_code ?? '',
      env: mapped?.env ?? '',
      host_name: '',
      operator_type: 'user',
      user_name: userName,
      uid,
      operation,
      create_time: context.nowSeconds,
      source: 'git',
      metadata: fitMetadata(plain, context.metadataBudget, { keep: KEEP, trim: 'commits' }),
    },
    dedupKey: context.dedupKey,
  };
}
