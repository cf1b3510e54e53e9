// One line saying what an event was, in the words of the people who work with its sender:
// `firing · HighLatency · p99 above 2 s on api-gw`, `main ← 3 commits: "fix login redirect"`,
// `!42 merged: Add rate limiter`. Pure: made from the record and its metadata only. It never says
// what the body does not: a kind whose metadata lacks what its line needs falls back to the
// operation's name. The record itself never carries it; the read API offers it beside the record.

import { cutText } from '../text';
import { deployHeadline } from './headline-deploy';
import { Fields, type HeadlineInput, join } from './headline-fields';

export type { HeadlineInput } from './headline-fields';

import { gitHeadline } from './headline-git';

/** The longest headline, in characters (the last one "…" when cut). */
export const HEADLINE_CHARS = 140;

export function headline(record: HeadlineInput): string {
  const metadata = Fields.parse(record.metadata);
  const line = lineOf(record, metadata) ?? record.operation_name;
  return cutText(oneLine(line), HEADLINE_CHARS);
}

/** Headlines by event id, for a list of records. */
export function headlines(records: readonly (HeadlineInput & { id: number })[]): Record<string, string> {
  return Object.fromEntries(records.map((record) => [String(record.id), headline(record)]));
}

function lineOf(record: HeadlineInput, metadata: Fields): string | undefined {
  switch (record.operation) {
    case 'grafana_alert_notification':
      return alertHeadline(metadata);
    case 'confgo_file_create':
    case 'confgo_file_update':
    case 'confgo_file_delete':
    case 'confgo_file_publish':
    case 'confgo_file_rollback':
      return configHeadline(record.operation, metadata);
    case 'app_node_restart':
      return restartHeadline(record, metadata);
    default:
      return record.operation.startsWith('git_')
        ? gitHeadline(record.operation, metadata)
        : deployHeadline(record, metadata);
  }
}

/** Grafana unified and Alertmanager: status · alert name · summary; legacy Grafana: state · rule. */
function alertHeadline(metadata: Fields): string | undefined {
  const format = metadata.text('format');
  if (format === 'grafana-legacy') {
    const state = metadata.text('state');
    const rule = metadata.text('ruleName') ?? metadata.text('title');
    if (state === undefined || rule === undefined) return undefined;
    const message = metadata.text('message');
    return join(' · ', [state, rule, message]);
  }
  const status = metadata.text('status');
  const alertname = metadata.text('labels', 'alertname') ?? metadata.text('alertname');
  if (status === undefined || alertname === undefined) return undefined;
  // Grafana's NoData and Error alerts name their rule in a label of its own.
  const rule = metadata.text('labels', 'rulename');
  const name = rule === undefined || rule === alertname ? alertname : `${alertname} (${rule})`;
  const about = metadata.text('annotations', 'summary') ?? metadata.text('annotations', 'description');
  const count = metadata.integer('alertCount');
  const group = count !== undefined && count > 1 ? `${count} alerts grouped` : undefined;
  return join(' · ', [status, name, about, group]);
}

const CONFIG_VERBS: Readonly<Record<string, string>> = {
  confgo_file_create: 'created',
  confgo_file_update: 'updated',
  confgo_file_delete: 'deleted',
  confgo_file_publish: 'published',
  confgo_file_rollback: 'rolled back',
};

/** A config change: what was done to which file, at which version, where. */
function configHeadline(operation: string, metadata: Fields): string | undefined {
  const path = metadata.text('file_path');
  const file = path?.split('/').pop() || metadata.text('file') || metadata.text('file_name') || metadata.text('name');
  if (file === undefined) return undefined;
  const version = metadata.text('version');
  const history = metadata.integer('configuration_history_id');
  const at = version !== undefined ? `version ${version}` : history !== undefined ? `history #${history}` : undefined;
  return join(' · ', [`${file} ${CONFIG_VERBS[operation] ?? ''}`.trim(), at]);
}

/** A node restart: the node and how it was restarted. */
function restartHeadline(record: HeadlineInput, metadata: Fields): string | undefined {
  const node = metadata.text('node_name') ?? (record.host_name || undefined);
  if (node === undefined) return undefined;
  const how = metadata.text('typ');
  return `restarted ${node}${how === undefined ? '' : ` (${how})`}`;
}

/** Line breaks and runs of spaces become one space: a headline is one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
