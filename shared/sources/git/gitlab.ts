// Shaping GitLab webhooks into events. Pure: no I/O.

import { FieldError } from '../../errors';
import type { Operation } from '../../event/catalog';
import { ObjectReader } from '../../event/fields';
import { MAX_NAME } from '../../event/record';
import { type GitContext, type GitShape, gitEvent, lookup } from './event';

const GITLAB_KINDS: Readonly<Record<string, { operation: Operation; objectKind: string }>> = {
  'Push Hook': { operation: 'git_push', objectKind: 'push' },
  'Tag Push Hook': { operation: 'git_tag_push', objectKind: 'tag_push' },
  'Merge Request Hook': { operation: 'git_merge_request', objectKind: 'merge_request' },
  'Pipeline Hook': { operation: 'git_pipeline', objectKind: 'pipeline' },
  'Job Hook': { operation: 'git_job', objectKind: 'build' },
};

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
