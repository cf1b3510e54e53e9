// Headlines of devops events: deploys, rollbacks and node lifecycle, from the envelope's fields
// (env, hosts) and its metadata (version or commit). Pure.

import { type Fields, type HeadlineInput, join } from './headline-fields';

/** Hosts shown in a headline before the rest are counted. */
const SHOWN_HOSTS = 3;

const NODE_VERBS: Readonly<Record<string, string>> = {
  devops_update: 'node updated',
  devops_register: 'node registered',
  devops_unregister: 'node unregistered',
  devops_restart: 'restarted',
  devops_stop: 'stopped',
  devops_start: 'started',
};

/** `host-a, host-b, host-c +2 more`. */
export function hostList(hostName: string): string | undefined {
  const hosts = hostName
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '');
  if (hosts.length === 0) return undefined;
  const more = hosts.length - SHOWN_HOSTS;
  return `${hosts.slice(0, SHOWN_HOSTS).join(', ')}${more > 0 ? ` +${more} more` : ''}`;
}

/** `deployed v1.8.0 to prod on host-a, host-b`. */
export function deployHeadline(record: HeadlineInput, metadata: Fields): string | undefined {
  const hosts = hostList(record.host_name) ?? metadata.text('host_name') ?? metadata.text('ip');
  const env = record.env || undefined;
  if (record.operation === 'devops_deploy' || record.operation === 'devops_rollback') {
    const version = metadata.text('version') ?? metadata.text('commit_id')?.slice(0, 12);
    if (version === undefined && env === undefined && hosts === undefined) return undefined;
    const deploy = record.operation === 'devops_deploy';
    return join(' ', [
      deploy ? 'deployed' : 'rolled back',
      version === undefined ? undefined : deploy ? version : `to ${version}`,
      env === undefined ? undefined : deploy ? `to ${env}` : `in ${env}`,
      hosts === undefined ? undefined : `on ${hosts}`,
    ]);
  }
  const verb = NODE_VERBS[record.operation];
  const node = hosts ?? metadata.text('address');
  if (verb === undefined || node === undefined) return undefined;
  return join(' ', [verb, node, env === undefined ? undefined : `(${env})`]);
}
