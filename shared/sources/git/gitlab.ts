// Shaping GitLab webhooks into events: project hooks and the instance-wide System Hook. Pure: no I/O.
// Shapes from several GitLab versions are read: bodies without a top-level project (older Merge
// Request hooks), without user_username (older pushes), or with only project_id (Job hooks).

import { FieldError } from '../../errors';
import type { Operation } from '../../event/catalog';
import { recordName } from '../../event/record';
import { ObjectReader } from '../../json';
import type { Shaped } from '../family';
import { type GitContext, gitEvent, isZeroSha, lookup } from './event';

/** The operation of each object_kind we record. */
const OBJECT_KINDS: Readonly<Record<string, Operation>> = {
  push: 'git_push',
  tag_push: 'git_tag_push',
  merge_request: 'git_merge_request',
  pipeline: 'git_pipeline',
  build: 'git_job',
  release: 'git_release',
  deployment: 'git_deployment',
};

/** The X-Gitlab-Event header of a project hook, and the object_kind its body carries. */
const HOOK_KINDS: Readonly<Record<string, string>> = {
  'Push Hook': 'push',
  'Tag Push Hook': 'tag_push',
  'Merge Request Hook': 'merge_request',
  'Pipeline Hook': 'pipeline',
  'Job Hook': 'build',
  // The name of Job Hook before GitLab 9.3.
  'Build Hook': 'build',
  'Release Hook': 'release',
  'Deployment Hook': 'deployment',
};

/** What a System Hook records: repository events; user, group and project administration are ignored. */
const SYSTEM_KINDS: readonly string[] = ['push', 'tag_push', 'merge_request'];

export function shapeGitLab(event: string, body: unknown, context: GitContext): Shaped {
  const hook = ObjectReader.of(body, '');
  const objectKind = event === 'System Hook' ? systemKind(hook) : projectKind(event, hook);
  if (typeof objectKind !== 'string') return objectKind;
  const operation = OBJECT_KINDS[objectKind] as Operation;
  const project = projectOf(hook);
  const user = userOf(hook);
  const deleted = (objectKind === 'push' || objectKind === 'tag_push') && isZeroSha(hook.optionalString('after'));
  const finalOperation = deleted ? (objectKind === 'push' ? 'git_branch_delete' : 'git_tag_delete') : operation;
  const mapped = lookup(context.projects, [project.id === undefined ? undefined : String(project.id), project.path]);
  const shaped = gitEvent(
    {
      operation: finalOperation,
      repositoryName: project.name ?? project.path ?? '',
      mapped,
      userName: user.name,
      uid: user.id,
      summary: summaryOf(objectKind, hook, project.path ?? project.name, user.name),
    },
    body,
    context,
  );
  // A deployment names the environment it went to: that is the event's env, whatever the project map says.
  const environment = objectKind === 'deployment' ? hook.string('environment', { nonEmpty: true }) : undefined;
  return {
    events: [environment ? { ...shaped, draft: { ...shaped.draft, env: recordName(environment) } } : shaped],
  };
}

function projectKind(event: string, hook: ObjectReader): string | { ignored: string } {
  const expected = Object.hasOwn(HOOK_KINDS, event) ? HOOK_KINDS[event] : undefined;
  if (expected === undefined) return { ignored: 'GitLab events of this X-Gitlab-Event are not recorded' };
  const objectKind = hook.string('object_kind');
  if (objectKind !== expected) throw new FieldError('object_kind', `"${expected}" for a ${event}`, objectKind);
  return objectKind;
}

/** A System Hook names its event in object_kind, or (administration events, some versions) event_name. */
function systemKind(hook: ObjectReader): string | { ignored: string } {
  const kind = hook.optionalString('object_kind', { max: 64 }) ?? hook.optionalString('event_name', { max: 64 });
  if (kind === undefined) throw new FieldError('object_kind', 'present (or event_name) in a System Hook');
  if (!SYSTEM_KINDS.includes(kind))
    return { ignored: 'GitLab System Hook events of this object_kind are not recorded' };
  return kind;
}

interface ProjectRef {
  id: number | undefined;
  path: string | undefined;
  name: string | undefined;
}

/**
 * The project a hook is about: `project` in current GitLab, the merge request's target in older
 * Merge Request hooks, project_id and project_name ("Group / name") in Job hooks.
 */
function projectOf(hook: ObjectReader): ProjectRef {
  const project = hook.child('project');
  const repository = hook.child('repository');
  const attributes = hook.child('object_attributes');
  const target = attributes?.child('target');
  const id =
    project?.optionalInteger('id') ??
    hook.optionalInteger('project_id') ??
    attributes?.optionalInteger('target_project_id');
  const path = project?.optionalString('path_with_namespace') ?? target?.optionalString('path_with_namespace');
  const displayName = hook.optionalString('project_name')?.split(' / ').pop();
  const name =
    project?.optionalString('name') ??
    target?.optionalString('name') ??
    repository?.optionalString('name') ??
    displayName;
  if (id === undefined && path === undefined) {
    throw new FieldError('project', 'an object with id or path_with_namespace (or project_id)');
  }
  return { id, path, name };
}

/** Who did it: the username when the body has one, else the display name; 0 and "" when absent. */
function userOf(hook: ObjectReader): { name: string; id: number } {
  const user = hook.child('user');
  const name =
    hook.optionalString('user_username') ??
    user?.optionalString('username') ??
    hook.optionalString('user_name') ??
    user?.optionalString('name') ??
    '';
  const id = hook.optionalInteger('user_id') ?? user?.optionalInteger('id') ?? 0;
  return { name, id };
}

function summaryOf(kind: string, hook: ObjectReader, project: string | undefined, user: string) {
  const attributes = hook.child('object_attributes');
  const common = { sender: 'gitlab', kind, project, user };
  switch (kind) {
    case 'push':
    case 'tag_push':
      return {
        ...common,
        ref: hook.optionalString('ref'),
        before: hook.optionalString('before'),
        after: hook.optionalString('after'),
        deleted: isZeroSha(hook.optionalString('after')),
        commit_count: hook.optionalInteger('total_commits_count'),
      };
    case 'merge_request':
      return {
        ...common,
        action: attributes?.optionalString('action'),
        iid: attributes?.optionalInteger('iid'),
        title: attributes?.optionalString('title'),
        state: attributes?.optionalString('state'),
        source_branch: attributes?.optionalString('source_branch'),
        target_branch: attributes?.optionalString('target_branch'),
      };
    case 'pipeline':
      return {
        ...common,
        id: attributes?.optionalInteger('id'),
        ref: attributes?.optionalString('ref'),
        sha: attributes?.optionalString('sha'),
        status: attributes?.optionalString('status'),
      };
    case 'build':
      return {
        ...common,
        id: hook.optionalInteger('build_id'),
        name: hook.optionalString('build_name'),
        ref: hook.optionalString('ref'),
        status: hook.optionalString('build_status'),
      };
    case 'deployment':
      return {
        ...common,
        deployment_id: hook.optionalInteger('deployment_id'),
        environment: hook.optionalString('environment'),
        ref: hook.optionalString('ref'),
        sha: hook.optionalString('short_sha'),
        status: hook.string('status'),
      };
    default:
      return { ...common, action: hook.optionalString('action'), tag: hook.optionalString('tag') };
  }
}
