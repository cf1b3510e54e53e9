// What an event costs at rest: from the items the store builds (store/items.ts) for events shaped
// from the bench's own request bodies, the bytes DynamoDB bills for storing each one — the item and
// its listing index entries, each with DynamoDB's 100 bytes of overhead — with its metadata stored as
// text (the baseline) and as the store keeps it (compressed when large: store/compact.ts), the write
// units of its put, and US$ per million events kept one month and one year.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../scripts/lib/table';
import { parseConfig } from '../shared/config/config';
import type { Config } from '../shared/config/types';
import { createIdGenerator } from '../shared/event/ids';
import { completeRecord, type ShapedEvent } from '../shared/event/record';
import type { HttpRequest } from '../shared/http/request';
import { envelopeFamily } from '../shared/sources/envelope/family';
import type { SenderFamily } from '../shared/sources/family';
import { gitFamily } from '../shared/sources/git/family';
import { grafanaFamily } from '../shared/sources/grafana/family';
import { toAttributes } from '../shared/store/client';
import { encodeMetadata } from '../shared/store/compact';
import { eventItem } from '../shared/store/items';
import { deliveryItemKey } from '../shared/store/schema';
import { billWrite, type IndexDefinition, type Item, indexEntry, indexesOf, itemSize, totalUnits } from './billing';
import { type BenchSource, benchConfig, request, SOURCES } from './requests';

/** DynamoDB Standard table class, on demand, us-east-1: US$ per GB-month (GB = 2^30 bytes, as AWS bills). */
export const STORAGE_PRICE_GB_MONTH = 0.25;
/** DynamoDB adds this many bytes to every item and every index entry it bills storage for. */
const OVERHEAD_BYTES = 100;
const GB = 2 ** 30;
/** Events are kept for a retention when they are kept a month or a year: their items carry expires_at. */
const RETENTION_SECONDS = 365 * 24 * 3600;
const REQUESTS = 20;

export interface StorageRow {
  section: string;
  subject: string;
  metric: string;
  ours: number;
  baseline: number | null;
  spread: string;
  target: string;
}

interface Sample {
  events: ShapedEvent[];
  bodyBytes: number;
}

const FAMILIES: Record<BenchSource, SenderFamily<never>> = {
  confgo: envelopeFamily('confgo'),
  devops: envelopeFamily('devops'),
  grafana: grafanaFamily as SenderFamily<never>,
  git: gitFamily as SenderFamily<never>,
};

/** The events a body is shaped into, as its function would shape them. */
function shaped(source: BenchSource, config: Config, body: string, headers: Record<string, string>): ShapedEvent[] {
  const family = FAMILIES[source];
  const http: HttpRequest = {
    method: 'POST',
    path: `/webhooks/${source}`,
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    query: {},
    pathParameters: {},
    rawBody: body,
    timeLeftMs: () => Number.POSITIVE_INFINITY,
  };
  const text = family.json?.(http) ?? body;
  const context = {
    deliveryKey: 'bench',
    nowSeconds: Math.floor(Date.now() / 1000),
    metadataBudget: config.metadataBudget,
  };
  const result = family.shape(JSON.parse(text), http, config.sources[source] as never, context);
  if ('ignored' in result) throw new Error(`storage ${source}: the bench body is not recorded (${result.ignored})`);
  return result.events;
}

/** Each source's bench bodies, and a large GitLab push (the 116 KB fixture, shaped to its 64 KiB budget). */
function samples(config: Config): [string, BenchSource, Sample][] {
  const rows: [string, BenchSource, Sample][] = SOURCES.map((source) => {
    const events: ShapedEvent[] = [];
    let bodyBytes = 0;
    for (let n = 0; n < REQUESTS; n += 1) {
      const { body, headers } = request(source, 2_000_000 + n);
      events.push(...shaped(source, config, body, headers));
      bodyBytes += Buffer.byteLength(body);
    }
    return [source, source, { events, bodyBytes: bodyBytes / REQUESTS }];
  });
  const large = readFileSync(
    resolve(__dirname, '..', 'test', 'fixtures', 'git', 'gitlab_push_hook_large.json'),
    'utf8',
  );
  const headers = { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' };
  rows.push(['git, 116 KB push', 'git', { events: shaped('git', config, large, headers), bodyBytes: large.length }]);
  return rows;
}

/** Bytes billed for storing one event: the item and each index entry it has, each with its overhead. */
function storedBytes(item: Item, indexes: IndexDefinition[]): number {
  const entries = indexes.map((index) => indexEntry(item, index)).filter((entry) => entry !== undefined);
  return [item, ...entries].reduce((sum, entry) => sum + itemSize(entry) + OVERHEAD_BYTES, 0);
}

interface Measured {
  before: { bytes: number; units: number };
  after: { bytes: number; units: number };
  metadataBytes: number;
  storedMetadataBytes: number;
  compressMs: number;
  compressed: number;
}

/** The median time of encoding `metadata`, over a few runs (the first of a process also warms up). */
function compressMs(metadata: string): number {
  const times = Array.from({ length: 5 }, () => {
    const started = process.hrtime.bigint();
    encodeMetadata(metadata);
    return Number(process.hrtime.bigint() - started) / 1e6;
  }).sort((a, b) => a - b);
  return times[2] ?? 0;
}

function measure(source: BenchSource, events: ShapedEvent[], indexes: IndexDefinition[]): Measured {
  const ids = createIdGenerator();
  const total: Measured = {
    before: { bytes: 0, units: 0 },
    after: { bytes: 0, units: 0 },
    metadataBytes: 0,
    storedMetadataBytes: 0,
    compressMs: 0,
    compressed: 0,
  };
  const expiresAt = Math.floor(Date.now() / 1000) + RETENTION_SECONDS;
  for (const [n, event] of events.entries()) {
    const record = completeRecord(event.draft, ids.next());
    const delivery = deliveryItemKey(source, `bench-${n}`);
    const after: Item = toAttributes(eventItem(record, { delivery, expiresAt }));
    const before: Item = { ...after, metadata: { S: record.metadata } as AttributeValue };
    const stored = encodeMetadata(record.metadata);
    total.compressMs += compressMs(record.metadata);
    total.compressed += typeof stored === 'string' ? 0 : 1;
    total.metadataBytes += Buffer.byteLength(record.metadata);
    total.storedMetadataBytes += typeof stored === 'string' ? Buffer.byteLength(stored) : stored.length;
    for (const [state, item] of [
      [total.before, before],
      [total.after, after],
    ] as const) {
      state.bytes += storedBytes(item, indexes);
      state.units += totalUnits(billWrite(undefined, item, indexes));
    }
  }
  return total;
}

const dollarsPerMillion = (bytes: number, months: number) => ((bytes * 1e6) / GB) * STORAGE_PRICE_GB_MONTH * months;

/** The storage rows of every source: the store's items (ours) next to the same items with text metadata. */
export function storageRows(): StorageRow[] {
  const config = parseConfig(benchConfig(undefined), { file: 'bench.toml', env: {} });
  const { indexes } = indexesOf(tableDefinition('appevent'));
  return samples(config).flatMap(([subject, source, sample]) => {
    const count = sample.events.length;
    const m = measure(source, sample.events, indexes);
    const per = (value: number) => value / count;
    const [before, after] = [per(m.before.bytes), per(m.after.bytes)];
    const row = (metric: string, ours: number, baseline: number | null, spread: string): StorageRow => ({
      section: 'storage',
      subject,
      metric,
      ours,
      baseline,
      spread,
      target: '—',
    });
    return [
      row(
        'stored bytes per event (item + index entries, 100 B overhead each)',
        after,
        before,
        `${count} events; body ≈ ${Math.round(sample.bodyBytes)} B a request; metadata ${Math.round(per(m.metadataBytes))} B, stored ${Math.round(per(m.storedMetadataBytes))} B; baseline: metadata as text`,
      ),
      row(
        'metadata compression ms per event',
        per(m.compressMs),
        null,
        `${m.compressed} of ${count} compressed (over 1,024 B and saving ≥ 30 %); kept ${((100 * m.storedMetadataBytes) / m.metadataBytes).toFixed(1)} % of the metadata bytes`,
      ),
      row('billed write units of the event put', per(m.after.units), per(m.before.units), 'table + index entries'),
      row(
        'US$ per million events kept one month',
        dollarsPerMillion(after, 1),
        dollarsPerMillion(before, 1),
        'DynamoDB Standard, on demand, us-east-1: US$ 0.25 per GB-month',
      ),
      row('US$ per million events kept one year', dollarsPerMillion(after, 12), dollarsPerMillion(before, 12), ''),
    ];
  });
}
