// The [junoevent.sources.*] sections: each source's credentials and options.

import { FieldError } from '../errors';
import { MAX_NAME } from '../event/record';
import type { ObjectReader } from '../json';
import {
  DEFAULT_LABELS,
  type GitSourceConfig,
  type GrafanaSourceConfig,
  type LabelMapping,
  type PreviousCredentials,
  type ProjectIdentity,
  type SourceConfig,
} from './types';

/** How a section is read: where, its body limit, and whether credentials come at run time. */
export interface SectionContext {
  local: boolean;
  maxBodyBytes: number;
}

/**
 * allowUnsigned. Whether something authenticates requests is checked when a function uses the
 * section (requireSource), since a section's credentials may come from that function's secret.
 */
function readUnsigned(section: ObjectReader, context: SectionContext): boolean {
  const allowUnsigned = section.optionalBoolean('allowUnsigned') ?? false;
  if (allowUnsigned && !context.local) {
    throw new FieldError(
      section.at('allowUnsigned'),
      'false in a deployed function: unsigned webhooks are only for a local config',
    );
  }
  return allowUnsigned;
}

/** The `previous` credentials of a section (a rotation in progress); `kinds` are the ones this source takes. */
function readPrevious(section: ObjectReader, kinds: readonly string[], standardSecret = false): PreviousCredentials {
  const previous = section.child('previous');
  if (previous === undefined) return {};
  previous.onlyKeys(kinds);
  const read = (key: string) => previous.optionalString(key, { nonEmpty: true });
  const secret = read('secret');
  const signingSecret = read('signingSecret');
  const token = read('token');
  const username = read('username');
  const password = read('password');
  if (secret !== undefined && standardSecret) checkStandardWebhooksSecret(secret, previous.at('secret'));
  if (signingSecret !== undefined) checkStandardWebhooksSecret(signingSecret, previous.at('signingSecret'));
  if ((username === undefined) !== (password === undefined)) {
    throw new FieldError(
      previous.at(username === undefined ? 'username' : 'password'),
      'set together with the other one',
    );
  }
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(signingSecret === undefined ? {} : { signingSecret }),
    ...(token === undefined ? {} : { token }),
    ...(username !== undefined && password !== undefined ? { basic: { username, password } } : {}),
  };
}

export function readEnvelopeSource(section: ObjectReader, context: SectionContext): SourceConfig {
  section.onlyKeys(['secret', 'previous', 'allowUnsigned', 'maxBodyBytes']);
  const secret = section.optionalString('secret', { nonEmpty: true });
  if (secret !== undefined) checkStandardWebhooksSecret(secret, section.at('secret'));
  return {
    secret,
    previous: readPrevious(section, ['secret'], true),
    maxBodyBytes: context.maxBodyBytes,
    allowUnsigned: readUnsigned(section, context),
  };
}

export function readGrafanaSource(section: ObjectReader, context: SectionContext): GrafanaSourceConfig {
  section.onlyKeys([
    'previous',
    'secret',
    'signatureHeader',
    'timestampHeader',
    'token',
    'username',
    'password',
    'labels',
    'allowUnsigned',
    'maxBodyBytes',
  ]);
  const secret = section.optionalString('secret', { nonEmpty: true });
  const token = section.optionalString('token', { nonEmpty: true });
  const username = section.optionalString('username', { nonEmpty: true });
  const password = section.optionalString('password', { nonEmpty: true });
  if ((username === undefined) !== (password === undefined)) {
    throw new FieldError(
      section.at(username === undefined ? 'username' : 'password'),
      'set together with the other one',
    );
  }
  const basic = username !== undefined && password !== undefined ? { username, password } : undefined;
  const headerName = (key: string) => {
    const value = section.optionalString(key, { nonEmpty: true, max: 128 });
    if (value !== undefined && !/^[A-Za-z0-9-]+$/.test(value))
      throw new FieldError(section.at(key), 'an HTTP header name', value);
    return value?.toLowerCase();
  };
  const labels = section.child('labels');
  labels?.onlyKeys(Object.keys(DEFAULT_LABELS));
  const labelList = (field: keyof LabelMapping) =>
    labels?.optionalStringArray(field, { nonEmpty: true, max: 128 }) ?? DEFAULT_LABELS[field];
  return {
    secret,
    previous: readPrevious(section, ['secret', 'token', 'username', 'password']),
    maxBodyBytes: context.maxBodyBytes,
    token,
    basic,
    signatureHeader: headerName('signatureHeader') ?? 'x-grafana-alerting-signature',
    timestampHeader: headerName('timestampHeader'),
    labels: {
      app_name: labelList('app_name'),
      env: labelList('env'),
      zone_code: labelList('zone_code'),
      aid: labelList('aid'),
      host_name: labelList('host_name'),
    },
    allowUnsigned: readUnsigned(section, context),
  };
}

export function readGitSource(section: ObjectReader, context: SectionContext): GitSourceConfig {
  section.onlyKeys(['secret', 'signingSecret', 'previous', 'projects', 'allowUnsigned', 'maxBodyBytes']);
  const secret = section.optionalString('secret', { nonEmpty: true });
  const signingSecret = section.optionalString('signingSecret', { nonEmpty: true });
  if (signingSecret !== undefined) checkStandardWebhooksSecret(signingSecret, section.at('signingSecret'));
  const projects = new Map<string, ProjectIdentity>();
  const table = section.child('projects');
  for (const key of table?.keys() ?? []) {
    const entry = table?.child(key);
    if (entry === undefined) continue;
    entry.onlyKeys(['app_name', 'aid', 'env', 'zone_code', 'id']);
    const identity: ProjectIdentity = {
      app_name: entry.optionalString('app_name', { nonEmpty: true, max: MAX_NAME }),
      aid: entry.optionalInteger('aid'),
      env: entry.optionalString('env', { max: MAX_NAME }),
      zone_code: entry.optionalString('zone_code', { max: MAX_NAME }),
    };
    projects.set(key, identity);
    // A project keyed by its path also answers to its GitLab id: Job hooks carry only the id.
    const id = entry.optionalInteger('id', { min: 1 });
    if (id !== undefined) {
      if (projects.has(String(id)) && String(id) !== key) {
        throw new FieldError(entry.at('id'), `an id no other project entry uses (${id} is taken)`);
      }
      projects.set(String(id), identity);
    }
  }
  return {
    secret,
    previous: readPrevious(section, ['secret', 'signingSecret']),
    maxBodyBytes: context.maxBodyBytes,
    signingSecret,
    projects,
    allowUnsigned: readUnsigned(section, context),
  };
}

const STANDARD_SECRET_FORM = 'a Standard Webhooks secret: "whsec_" and base64 of 24 to 64 random bytes';

function checkStandardWebhooksSecret(secret: string, path: string): void {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) throw new FieldError(path, STANDARD_SECRET_FORM);
}
