// What GitLab and GitHub shaping share: the project map lookup and the event they make. Pure: no I/O.
// Kinds we do not record are reported as ignored (the route answers 200), because GitLab disables
// hooks that keep failing.

import type { GitSourceConfig, ProjectIdentity } from '../../config/types';
import type { Operation } from '../../event/catalog';
import { ObjectReader } from '../../event/fields';
import { fitMetadata } from '../../event/metadata';
import type { ShapedEvent } from '../../event/record';

export type GitShape = { events: ShapedEvent[] } | { ignored: string };

export interface GitContext {
  projects: GitSourceConfig['projects'];
  metadataBudget: number;
  nowSeconds: number;
  deliveryKey: string;
}

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

export function lookup(
  projects: GitContext['projects'],
  keys: readonly (string | undefined)[],
): ProjectIdentity | undefined {
  for (const key of keys) {
    const found = key === undefined ? undefined : projects.get(key);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function gitEvent(
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
    deliveryKey: context.deliveryKey,
  };
}
