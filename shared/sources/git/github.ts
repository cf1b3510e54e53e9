// Shaping GitHub webhooks into events. Pure: no I/O.

import { FieldError } from '../../errors';
import type { Operation } from '../../event/catalog';
import { ObjectReader } from '../../event/fields';
import { MAX_NAME } from '../../event/record';
import { type GitContext, type GitShape, gitEvent, lookup } from './event';

const GITHUB_KINDS: Readonly<Record<string, Operation>> = {
  push: 'git_push',
  pull_request: 'git_merge_request',
  release: 'git_release',
  workflow_run: 'git_pipeline',
};

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
