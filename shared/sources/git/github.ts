// Shaping GitHub webhooks into events. Pure: no I/O. Nullable fields (head_commit, assignee,
// milestone, body, a deployment's workflow_run …) read as absent.

import { FieldError } from '../../errors';
import type { Operation } from '../../event/catalog';
import { recordName } from '../../event/record';
import { ObjectReader } from '../../json';
import type { Shaped } from '../family';
import { type GitContext, gitEvent, lookup } from './event';

const GITHUB_KINDS: Readonly<Record<string, Operation>> = {
  push: 'git_push',
  pull_request: 'git_merge_request',
  release: 'git_release',
  workflow_run: 'git_pipeline',
  // A deployment made (deployment) and each change of its state (deployment_status), reported by CI.
  deployment: 'git_deployment',
  deployment_status: 'git_deployment',
};

export function shapeGitHub(event: string, body: unknown, context: GitContext): Shaped {
  if (event === 'ping') return { ignored: 'ping' };
  const base = Object.hasOwn(GITHUB_KINDS, event) ? GITHUB_KINDS[event] : undefined;
  if (base === undefined) return { ignored: 'GitHub events of this X-GitHub-Event are not recorded' };
  const hook = ObjectReader.of(body, '');
  const repository = hook.child('repository');
  if (repository === undefined) throw new FieldError('repository', 'present');
  const fullName = repository.string('full_name', { nonEmpty: true });
  const name = repository.string('name', { nonEmpty: true });
  const sender = hook.child('sender');
  let operation = base;
  if (event === 'push') {
    const tag = hook.string('ref').startsWith('refs/tags/');
    const deleted = hook.optionalBoolean('deleted') ?? false;
    operation = tag ? (deleted ? 'git_tag_delete' : 'git_tag_push') : deleted ? 'git_branch_delete' : 'git_push';
  }
  const userName = sender?.optionalString('login') ?? '';
  const shaped = gitEvent(
    {
      operation,
      repositoryName: name,
      mapped: lookup(context.projects, [fullName]),
      userName,
      uid: sender?.optionalInteger('id') ?? 0,
      summary: summaryOf(event, hook, fullName, userName),
    },
    body,
    context,
  );
  const environment = operation === 'git_deployment' ? deploymentOf(hook).environment : undefined;
  // A deployment names the environment it went to: that is the event's env, whatever the project map says.
  return {
    events: [environment ? { ...shaped, draft: { ...shaped.draft, env: recordName(environment) } } : shaped],
  };
}

/** What a deployment or deployment_status body says of the deployment: where, what, and its state. */
function deploymentOf(hook: ObjectReader) {
  const deployment = hook.child('deployment');
  if (deployment === undefined) throw new FieldError('deployment', 'present');
  const status = hook.child('deployment_status');
  return {
    deployment_id: deployment.optionalInteger('id'),
    environment: status?.optionalString('environment') ?? deployment.optionalString('environment'),
    ref: deployment.optionalString('ref'),
    sha: deployment.optionalString('sha'),
    task: deployment.optionalString('task'),
    // A deployment event is the deployment's creation; a deployment_status event carries its state.
    status: status === undefined ? 'created' : status.string('state'),
    description: status?.optionalString('description') ?? deployment.optionalString('description'),
  };
}

function summaryOf(event: string, hook: ObjectReader, repository: string, user: string) {
  const common = { sender: 'github', kind: event, repository, user, action: hook.optionalString('action') };
  const pull = hook.child('pull_request');
  const release = hook.child('release');
  const run = hook.child('workflow_run');
  switch (event) {
    case 'push':
      return {
        ...common,
        ref: hook.optionalString('ref'),
        before: hook.optionalString('before'),
        after: hook.optionalString('after'),
        created: hook.optionalBoolean('created'),
        deleted: hook.optionalBoolean('deleted'),
        forced: hook.optionalBoolean('forced'),
        commit_count: Array.isArray(hook.raw('commits')) ? (hook.raw('commits') as unknown[]).length : 0,
      };
    case 'pull_request':
      return {
        ...common,
        number: hook.optionalInteger('number'),
        title: pull?.optionalString('title'),
        state: pull?.optionalString('state'),
        merged: pull?.optionalBoolean('merged'),
        base: pull?.child('base')?.optionalString('ref'),
        head: pull?.child('head')?.optionalString('ref'),
      };
    case 'release':
      return {
        ...common,
        tag_name: release?.optionalString('tag_name'),
        name: release?.optionalString('name'),
        prerelease: release?.optionalBoolean('prerelease'),
      };
    case 'deployment':
    case 'deployment_status':
      return { ...common, ...deploymentOf(hook) };
    default:
      return {
        ...common,
        id: run?.optionalInteger('id'),
        name: run?.optionalString('name'),
        head_branch: run?.optionalString('head_branch'),
        status: run?.optionalString('status'),
        conclusion: run?.optionalString('conclusion'),
      };
  }
}
