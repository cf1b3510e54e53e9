// What GitLab and GitHub shaping share: the project map lookup and the event they make. Pure: no I/O.
// Kinds we do not record are reported as ignored (the route answers 200), because GitLab disables
// hooks that keep failing.

import type { GitSourceConfig, ProjectIdentity } from '../../config/types';
import type { Operation } from '../../event/catalog';
import { fitMetadata } from '../../event/metadata';
import { recordName, type ShapedEvent } from '../../event/record';
import { isPlainObject } from '../../json';

export interface GitContext {
  projects: GitSourceConfig['projects'];
  metadataBudget: number;
  nowSeconds: number;
  deliveryKey: string | undefined;
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

/** A ref update to the all-zero id: GitLab and GitHub mark a deleted branch or tag this way. */
export function isZeroSha(sha: string | undefined): boolean {
  return sha !== undefined && /^0{40}$|^0{64}$/.test(sha);
}

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

export interface GitEventParts {
  operation: Operation;
  /** The app name when the project map has none: the repository's own name. */
  repositoryName: string;
  mapped: ProjectIdentity | undefined;
  userName: string;
  uid: number;
  /** The essential scalars, kept in metadata whatever its budget cuts. */
  summary: Record<string, unknown>;
}

/**
 * The event of one git delivery. Names longer than the record keeps are cut there (the whole body,
 * with the full names, is the metadata).
 */
export function gitEvent(parts: GitEventParts, body: unknown, context: GitContext): ShapedEvent {
  const { mapped } = parts;
  const plain = isPlainObject(body) ? body : {};
  return {
    draft: {
      app_name: mapped?.app_name ?? recordName(parts.repositoryName),
      aid: mapped?.aid ?? 0,
      zone_code: mapped?.zone_code ?? '',
      env: mapped?.env ?? '',
      host_name: '',
      operator_type: 'user',
      user_name: recordName(parts.userName),
      uid: parts.uid,
      operation: parts.operation,
      create_time: context.nowSeconds,
      source: 'git',
      metadata: fitMetadata(plain, context.metadataBudget, { keep: KEEP, trim: 'commits', summary: parts.summary }),
    },
    deliveryKey: context.deliveryKey,
  };
}
