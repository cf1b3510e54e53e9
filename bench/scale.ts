// The storm simulation: a burst of events through the store's real key and item code (no DynamoDB),
// billed with the write model of billing.ts, counting the write units each partition key value of
// the table and of each index takes per second. DynamoDB allows a partition key value 1,000 write
// units a second; the emulator has no partitions, so this is computed, not measured.
//
// Other designs are modelled beside it from the same items: before write sharding (legacy keys and
// projections), and the pending mark kept on the event item (a sparse index, cleared by rewriting
// the event), so every figure comes from the same events in the same run.

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createIdGenerator } from '../shared/event/ids';
import { completeRecord, type EventDraft, RECORD_FIELDS } from '../shared/event/record';
import { eventItem, pendingMarkItem } from '../shared/store/items';
import { ATTR, deliveryItemKey, pendingKey } from '../shared/store/schema';
import { billWrite, type IndexDefinition, type Item, indexEntry, indexesOf, type WriteBill } from './billing';

/** One write: to the events table or the pending table, the item before and after (undefined: none). */
export interface Write {
  table: 'table' | 'pending';
  before: Item | undefined;
  after: Item | undefined;
}

export interface Design {
  name: string;
  /** The events table's indexes (the pending table has none). */
  indexes: IndexDefinition[];
  /** The writes this design makes where the store makes `write` today, publishing on or off. */
  writes: (write: Write, publishing: boolean) => Write[];
}

/** What a write costs in a design: the table's units and each index's. */
export function billIn(design: Design, write: Write): WriteBill {
  return billWrite(write.before, write.after, write.table === 'table' ? design.indexes : []);
}

/** The design the store writes today, from serverless.yml's index definitions. */
export function currentDesign(table: CreateTableCommandInput): Design {
  return { name: 'sharded', indexes: indexesOf(table).indexes, writes: (write) => [write] };
}

/** The byPending index the mark-on-the-event designs had: sparse, the mark's shard and the id. */
const BY_PENDING: IndexDefinition = {
  name: 'byPending',
  keys: ['pending', 'id'],
  attributes: ['pk', 'pending', 'id', 'retry_at'],
};

/**
 * A design that keeps the pending mark on the event item: no pending table; a new event is written
 * marked (`pending`, in a sparse index) and, once published, rewritten without the mark.
 */
function markOnEvent(
  name: string,
  indexes: IndexDefinition[],
  item: (current: Item) => Item,
  mark: (id: string) => string,
): Design {
  return {
    name,
    indexes,
    writes: (write, publishing) => {
      if (write.table === 'pending') return [];
      const id = write.after?.[ATTR.id]?.N;
      const newEvent = write.before === undefined && write.after?.pk?.S?.startsWith('E#') && !write.after[ATTR.closed];
      const mapped = (value: Item | undefined) => value && item(value);
      if (!newEvent || !publishing || write.after === undefined || id === undefined) {
        return [{ table: 'table', before: mapped(write.before), after: mapped(write.after) }];
      }
      const marked = item({ ...write.after, pending: { S: mark(id) } });
      const cleared = item({ ...write.after, published_at: { N: '1800000000' } });
      return [
        { table: 'table', before: undefined, after: marked },
        { table: 'table', before: marked, after: cleared },
      ];
    },
  };
}

/** The design before this one: the same table and indexes, the pending mark on the event (byPending). */
export function markOnEventDesign(table: CreateTableCommandInput): Design {
  return markOnEvent(
    'mark on the event',
    [...indexesOf(table).indexes, BY_PENDING],
    (item) => item,
    (id) => pendingKey(Number(id)),
  );
}

/** The design before sharding: one key value per app, per source and for all pending events; full projections. */
export const LEGACY_DESIGN: Design = markOnEvent(
  'before sharding',
  [
    { name: 'byApp', keys: ['app_key', 'ts'], attributes: ['pk', 'app_key', 'ts', ...RECORD_FIELDS] },
    { name: 'bySource', keys: ['source', 'ts'], attributes: ['pk', 'source', 'ts', ...RECORD_FIELDS] },
    BY_PENDING,
  ],
  (current) => {
    const { source_key: _sourceKey, ...item } = current;
    const app = current.app_name?.S;
    return { ...item, ...(app ? { app_key: { S: app } } : {}) };
  },
  () => 'P',
);

export interface StormMix {
  /** Share of Grafana alerts, spread over `alertApps` apps; the rest is confgo, devops and git. */
  alertShare: number;
  alertApps: number;
}

type StormCommon = Pick<EventDraft, 'aid' | 'zone_code' | 'env' | 'uid' | 'create_time'>;

/** The draft and delivery key of the n-th event of the storm. */
function stormEvent(n: number, mix: StormMix): { draft: EventDraft; deliveryKey: string } {
  const r = (n * 2654435761) % 1000;
  const common = {
    aid: 0,
    zone_code: 'cn-sh-01',
    env: 'prod',
    uid: 0,
    create_time: 1_800_000_000 + Math.floor(n / 10_000),
  };
  if (r < mix.alertShare * 1000) return stormAlert(n, mix, common);
  const app = `service-${n % 50}`;
  const kind = r % 3;
  if (kind === 0) {
    return {
      draft: {
        ...common,
        app_name: app,
        host_name: 'host-a,host-b',
        operator_type: 'user',
        user_name: 'alice',
        operation: 'confgo_file_publish',
        source: 'confgo',
        metadata: JSON.stringify({ configuration_id: n, name: 'config-prod', format: 'toml', version: n % 97 }),
      },
      deliveryKey: `msg_${n}`,
    };
  }
  if (kind === 1) {
    return {
      draft: {
        ...common,
        app_name: app,
        host_name: 'host-a',
        operator_type: 'user',
        user_name: 'deployer',
        operation: 'devops_deploy',
        source: 'devops',
        metadata: JSON.stringify({ version: `v1.${n % 100}.0`, image: `registry.example/${app}:v1.${n % 100}.0` }),
      },
      deliveryKey: `msg_${n}`,
    };
  }
  return stormPush(n, app, common);
}

/** A firing alert of one of the storm's few apps. */
function stormAlert(n: number, mix: StormMix, common: StormCommon): { draft: EventDraft; deliveryKey: string } {
  const app = `storm-app-${n % mix.alertApps}`;
  const metadata = JSON.stringify({
    format: 'grafana',
    status: 'firing',
    labels: { alertname: 'HighLatency', app, instance: `host-${n % 400}:9100`, severity: 'critical' },
    annotations: {
      summary: `p99 latency above 2 s on host-${n % 400}`,
      runbook_url: 'https://runbooks.example/latency',
    },
    startsAt: '2026-12-01T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: (n * 7919).toString(16).padStart(16, '0'),
    generatorURL: 'https://grafana.example/alerting/grafana/abc/view',
    receiver: 'platform',
    groupKey: '{}/{alertname="HighLatency"}',
    externalURL: 'https://grafana.example/',
  });
  return {
    draft: {
      ...common,
      app_name: app,
      host_name: `host-${n % 400}:9100`,
      operator_type: 'openapi',
      user_name: 'platform',
      operation: 'grafana_alert_notification',
      source: 'grafana',
      metadata,
    },
    deliveryKey: `alert:${n}`,
  };
}

/** A push of a few commits: about 2.6 KB of metadata. */
function stormPush(n: number, app: string, common: StormCommon): { draft: EventDraft; deliveryKey: string } {
  const commit = (i: number) => ({
    id: (n * 31 + i).toString(16).padStart(40, '0'),
    message: `Change ${i} of push ${n}: tune the connection pool and retry budget`,
    timestamp: '2026-12-01T10:00:00+00:00',
    author: { name: 'Dev Eloper', email: 'dev@example.com' },
    added: [],
    modified: [`src/pool_${i}.go`],
    removed: [],
  });
  return {
    draft: {
      ...common,
      app_name: app,
      host_name: '',
      operator_type: 'user',
      user_name: 'dev',
      operation: 'git_push',
      source: 'git',
      metadata: JSON.stringify({
        object_kind: 'push',
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after: (n * 31).toString(16).padStart(40, '0'),
        project: { id: n % 50, name: app, path_with_namespace: `platform/${app}` },
        commits: [0, 1, 2, 3, 4, 5].map(commit),
        total_commits_count: 6,
      }),
    },
    deliveryKey: `gitlab:${n}`,
  };
}

/** The name each table goes by in the loads. */
const TABLE_TARGETS = { table: 'table', pending: 'pending table' } as const;

export interface KeyLoad {
  /** The table or index. */
  target: string;
  /** Its busiest partition key value, and that value's highest write units in one second. */
  busiestKey: string;
  unitsPerSecond: number;
}

/**
 * Drives `eventsPerSecond` for `seconds` through the real item code with publishing on: per event,
 * the writes the store makes (the delivery item, the pending mark, the event, the mark's deletion),
 * as each design makes them.
 */
export function simulateStorm(
  designs: Design[],
  options: { eventsPerSecond: number; seconds: number; mix: StormMix },
): Record<string, KeyLoad[]> {
  const { eventsPerSecond, seconds, mix } = options;
  let clock = Date.UTC(2026, 11, 1);
  const ids = createIdGenerator({ now: () => clock, randomInt: (bound) => Math.floor(Math.random() * bound) });
  const loads = designs.map(() => new Map<string, number>());
  const add = (load: Map<string, number>, target: string, key: string, second: number, units: number) => {
    if (units === 0) return;
    const slot = `${target}\u0000${key}\u0000${second}`;
    load.set(slot, (load.get(slot) ?? 0) + units);
  };
  for (let n = 0; n < eventsPerSecond * seconds; n += 1) {
    clock = Date.UTC(2026, 11, 1) + Math.floor((n * 1000) / eventsPerSecond);
    const second = Math.floor(n / eventsPerSecond);
    const { draft, deliveryKey } = stormEvent(n, mix);
    const record = completeRecord(draft, ids.next());
    const delivery = deliveryItemKey(draft.source, deliveryKey);
    const stored = marshall(eventItem(record, { delivery }), { removeUndefinedValues: true });
    const deliveryItem = marshall({ [ATTR.pk]: delivery, [ATTR.eventId]: record.id, [ATTR.expiresAt]: 1 });
    const mark = marshall(pendingMarkItem(record.id), { removeUndefinedValues: true });
    const observed: Write[] = [
      { table: 'table', before: undefined, after: deliveryItem },
      { table: 'pending', before: undefined, after: mark },
      { table: 'table', before: undefined, after: stored },
      { table: 'pending', before: mark, after: undefined },
    ];
    designs.forEach((design, d) => {
      const load = loads[d] as Map<string, number>;
      for (const write of observed.flatMap((w) => design.writes(w, true))) {
        const { before, after } = write;
        const bill = billIn(design, write);
        add(load, TABLE_TARGETS[write.table], (after ?? before)?.pk?.S ?? '', second, bill.table);
        if (write.table === 'pending') continue;
        for (const index of design.indexes) {
          const entry = indexEntry(after, index) ?? indexEntry(before, index);
          const key = entry?.[index.keys[0] ?? '']?.S ?? entry?.[index.keys[0] ?? '']?.N ?? '';
          add(load, index.name, key, second, bill.indexes[index.name] ?? 0);
        }
      }
    });
  }
  const result: Record<string, KeyLoad[]> = {};
  designs.forEach((design, d) => {
    const busiest = new Map<string, KeyLoad>();
    for (const [slot, units] of loads[d] ?? []) {
      const [target = '', key = ''] = slot.split('\u0000');
      const found = busiest.get(target);
      if (found === undefined || units > found.unitsPerSecond) {
        busiest.set(target, { target, busiestKey: key, unitsPerSecond: units });
      }
    }
    result[design.name] = [...busiest.values()];
  });
  return result;
}
