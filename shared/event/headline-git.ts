// Headlines of GitLab and GitHub events, read from the hook body kept as metadata (or, when it was
// cut to its budget, from its summary). Pure.

import { Fields, firstLine, join } from './headline-fields';

export function gitHeadline(operation: string, metadata: Fields): string | undefined {
  const gitlab = metadata.text('object_kind') !== undefined || metadata.summary().text('sender') === 'gitlab';
  switch (operation) {
    case 'git_push':
      return pushHeadline(metadata, gitlab);
    case 'git_tag_push':
      return refHeadline('tag', metadata, 'pushed');
    case 'git_branch_delete':
      return refHeadline('branch', metadata, 'deleted');
    case 'git_tag_delete':
      return refHeadline('tag', metadata, 'deleted');
    case 'git_merge_request':
      return gitlab ? mergeRequestHeadline(metadata) : pullRequestHeadline(metadata);
    case 'git_pipeline':
      return gitlab ? pipelineHeadline(metadata) : workflowHeadline(metadata);
    case 'git_job':
      return jobHeadline(metadata);
    case 'git_release':
      return releaseHeadline(metadata, gitlab);
    case 'git_deployment':
      return deploymentHeadline(metadata, gitlab);
    default:
      return undefined;
  }
}

/** A ref's short name: `main` for `refs/heads/main`, `v1.0` for `refs/tags/v1.0`. */
function shortRef(ref: string | undefined): string | undefined {
  return ref?.replace(/^refs\/(heads|tags)\//, '');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `main ← 3 commits: "fix login redirect"`: the branch, the commits pushed, the newest's subject. */
function pushHeadline(metadata: Fields, gitlab: boolean): string | undefined {
  const branch = shortRef(metadata.text('ref'));
  if (branch === undefined) return undefined;
  const commits = metadata.list('commits');
  const count = gitlab
    ? (metadata.integer('total_commits_count') ?? metadata.integer('commit_count') ?? commits?.length)
    : (commits?.length ?? metadata.integer('commit_count'));
  const after = metadata.text('after');
  const newest = gitlab
    ? (commits?.find((commit) => Fields.of(commit).text('id') === after) ?? commits?.[commits.length - 1])
    : (metadata.raw('head_commit') ?? commits?.[commits.length - 1]);
  const subject = firstLine(Fields.of(newest).text('message'));
  const forced = metadata.boolean('forced') === true ? ' (forced)' : '';
  if (count === undefined) return `${branch} pushed${forced}`;
  if (count === 0 && metadata.boolean('created') === true) return `${branch} created${forced}`;
  const pushed = `${branch} ← ${plural(count, 'commit')}${forced}`;
  return subject === undefined || count === 0 ? pushed : `${pushed}: "${subject}"`;
}

function refHeadline(kind: 'branch' | 'tag', metadata: Fields, verb: string): string | undefined {
  const name = shortRef(metadata.text('ref'));
  return name === undefined ? undefined : `${kind} ${name} ${verb}`;
}

const MERGE_REQUEST_ACTIONS: Readonly<Record<string, string>> = {
  open: 'opened',
  close: 'closed',
  reopen: 'reopened',
  update: 'updated',
  approval: 'approved',
  unapproval: 'unapproved',
  merge: 'merged',
};

/** `!42 merged: Add rate limiter`. */
function mergeRequestHeadline(metadata: Fields): string | undefined {
  const attributes = metadata.child('object_attributes');
  const summary = metadata.summary();
  const iid = attributes.integer('iid') ?? summary.integer('iid');
  const action = attributes.text('action') ?? summary.text('action');
  const state = attributes.text('state') ?? summary.text('state');
  const done = action === undefined ? state : (MERGE_REQUEST_ACTIONS[action] ?? action);
  if (iid === undefined || done === undefined) return undefined;
  const title = attributes.text('title') ?? summary.text('title');
  return join(': ', [`!${iid} ${done}`, title]);
}

/** `#2 opened: Update the README`; a closed pull request that was merged says merged. */
function pullRequestHeadline(metadata: Fields): string | undefined {
  const pull = metadata.child('pull_request');
  const summary = metadata.summary();
  const number = metadata.integer('number');
  const action = metadata.text('action');
  if (number === undefined || action === undefined) return undefined;
  const merged = (pull.boolean('merged') ?? summary.boolean('merged')) === true;
  const done = action === 'closed' && merged ? 'merged' : action;
  return join(': ', [`#${number} ${done}`, pull.text('title') ?? summary.text('title')]);
}

/** GitLab's words for a pipeline or job status: a successful one "passed". */
function ciStatus(status: string | undefined): string | undefined {
  return status === 'success' ? 'passed' : status;
}

/** `pipeline #981 failed on main`. */
function pipelineHeadline(metadata: Fields): string | undefined {
  const attributes = metadata.child('object_attributes');
  const summary = metadata.summary();
  const id = attributes.integer('id') ?? summary.integer('id');
  const status = ciStatus(attributes.text('status') ?? summary.text('status'));
  if (id === undefined || status === undefined) return undefined;
  const ref = attributes.text('ref') ?? summary.text('ref');
  return join(' on ', [`pipeline #${id} ${status}`, shortRef(ref)]);
}

const CONCLUSIONS: Readonly<Record<string, string>> = { success: 'succeeded', failure: 'failed' };

/** `CI #163 succeeded on main`: a GitHub Actions workflow run. */
function workflowHeadline(metadata: Fields): string | undefined {
  const run = metadata.child('workflow_run');
  const summary = metadata.summary();
  const name = run.text('name') ?? metadata.text('workflow', 'name') ?? summary.text('name') ?? 'workflow';
  const conclusion = run.text('conclusion') ?? summary.text('conclusion');
  const status = conclusion === undefined ? (run.text('status') ?? summary.text('status')) : undefined;
  const outcome = conclusion === undefined ? status : (CONCLUSIONS[conclusion] ?? conclusion);
  if (outcome === undefined) return undefined;
  const number = run.integer('run_number');
  const branch = run.text('head_branch') ?? summary.text('head_branch');
  return join(' on ', [`${name}${number === undefined ? '' : ` #${number}`} ${outcome}`, branch]);
}

/** `job rspec passed on main`. */
function jobHeadline(metadata: Fields): string | undefined {
  const name = metadata.text('build_name') ?? metadata.summary().text('name');
  const status = ciStatus(metadata.text('build_status') ?? metadata.summary().text('status'));
  if (name === undefined || status === undefined) return undefined;
  return join(' on ', [`job ${name} ${status}`, shortRef(metadata.text('ref'))]);
}

/** `v2.3.0`, with the release's name when it has its own, and the action unless it is the release itself. */
function releaseHeadline(metadata: Fields, gitlab: boolean): string | undefined {
  const release = gitlab ? metadata : metadata.child('release');
  const summary = metadata.summary();
  const tag = release.text(gitlab ? 'tag' : 'tag_name') ?? summary.text(gitlab ? 'tag' : 'tag_name');
  if (tag === undefined) return undefined;
  const action = metadata.text('action');
  const shown = action === undefined || ['create', 'created', 'published'].includes(action) ? undefined : action;
  const name = release.text('name') ?? summary.text('name');
  return join(' · ', [join(' ', [tag, shown]), name === tag ? undefined : name]);
}

/** `deployed v2.3.0 (4be1c0d) to production`, `deploy failure: main (3484a3f) to staging`: a deployment CI reports. */
function deploymentHeadline(metadata: Fields, gitlab: boolean): string | undefined {
  const summary = metadata.summary();
  const deployment = metadata.child('deployment');
  const status = gitlab
    ? metadata.text('status')
    : (metadata.text('deployment_status', 'state') ?? summary.text('status') ?? metadata.text('action'));
  const environment = gitlab
    ? metadata.text('environment')
    : (metadata.text('deployment_status', 'environment') ?? deployment.text('environment'));
  const ref = gitlab ? metadata.text('ref') : deployment.text('ref');
  const sha = gitlab ? metadata.text('short_sha') : deployment.text('sha');
  const where = environment ?? summary.text('environment');
  if (status === undefined || where === undefined) return undefined;
  const what = ref ?? summary.text('ref');
  const commit = (sha ?? summary.text('sha'))?.slice(0, 7);
  const version = join(' ', [what, commit === undefined || commit === what ? undefined : `(${commit})`]);
  const target = join(' to ', [version || undefined, where]);
  return status === 'success' ? `deployed ${version ? target : `to ${where}`}` : `deploy ${status}: ${target}`;
}
