// Planning a listing and merging its shards: which index, which shard keys, which filters, the
// newest-first merge, and the opaque cursor that continues it. Pure: no I/O. A cursor is bound to the
// listing that made it; any other use is 400 invalid_cursor.
//
// A listing queries every shard of its key newest first and merges them. The cursor is the sort key
// of the last event returned: the next page asks every shard for what is older. A shard that could
// not fill its share (its pages were mostly filtered out) bounds the page: only events newer than
// where that shard stopped are returned, so nothing is skipped.

import { sha256Base64url } from '../crypto';
import { BadRequestError } from '../errors';
import { isPlainObject } from '../json';
import { ATTR, allShardKeys, LISTING_INDEXES, type ListingIndex, listingSortKey, listingSortKeyEnd } from './schema';
import type { ListQuery } from './types';

export interface QueryPlan {
  index: ListingIndex;
  /** The index partition key's value of each shard. */
  shardKeys: string[];
  keyCondition: string;
  filter: string | undefined;
  names: Record<string, string>;
  /** Every value but :key and :to, which each shard's query sets. */
  values: Record<string, string>;
  /** The inclusive bounds of the sort key. */
  from: string;
  to: string;
  /** What a cursor of this listing is bound to. */
  fingerprint: string;
}

const LATEST_SECONDS = 99_999_999_999;

export function planQuery(query: ListQuery): QueryPlan {
  const index: ListingIndex = query.app_name === undefined ? 'bySource' : 'byApp';
  const key = query.app_name ?? query.source;
  if (key === undefined) throw new Error('a listing needs app_name or source');
  const { partition, shards } = LISTING_INDEXES[index];
  const from = listingSortKey(query.since ?? 0, 0);
  const to = listingSortKeyEnd(query.until ?? LATEST_SECONDS);
  const names: Record<string, string> = { '#key': partition, '#ts': ATTR.ts };
  const values: Record<string, string> = { ':from': from };
  const filters: string[] = [];
  const filterOn = { env: query.env, operation: query.operation, source: index === 'byApp' ? query.source : undefined };
  for (const [field, value] of Object.entries(filterOn)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    filters.push(`#${field} = :${field}`);
  }
  return {
    index,
    shardKeys: allShardKeys(key, shards),
    keyCondition: '#key = :key AND #ts BETWEEN :from AND :to',
    filter: filters.length ? filters.join(' AND ') : undefined,
    names,
    values,
    from,
    to,
    fingerprint: sha256Base64url(JSON.stringify([index, key, values, to])).slice(0, 22),
  };
}

/** What one shard's queries gave: its newest matching entries, and whether it has more. */
export interface ShardPage {
  entries: Record<string, unknown>[];
  /** The sort key where the shard's reading stopped, when it has older entries not read. */
  stoppedAt: string | undefined;
}

/** Merges shard pages newest first into one page of at most `limit`, and the cursor after it. */
export function mergeShards(
  plan: QueryPlan,
  pages: readonly ShardPage[],
  limit: number,
): { entries: Record<string, unknown>[]; nextCursor: string | undefined } {
  const sortKey = (entry: Record<string, unknown>) => String(entry[ATTR.ts]);
  // Events older than where an unfinished shard stopped may still be in that shard.
  const floor = pages
    .filter((page) => page.stoppedAt !== undefined && page.entries.length < limit)
    .reduce<string | undefined>(
      (max, page) => (max === undefined || (page.stoppedAt ?? '') > max ? page.stoppedAt : max),
      undefined,
    );
  const merged = pages
    .flatMap((page) => page.entries)
    .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
    .filter((entry) => floor === undefined || sortKey(entry) > floor);
  const entries = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((page) => page.stoppedAt !== undefined);
  if (!more) return { entries, nextCursor: undefined };
  const last = entries.at(-1);
  return { entries, nextCursor: encodeCursor(plan, last === undefined ? (floor ?? plan.to) : sortKey(last)) };
}

/** The cursor that continues below sort key `before`. */
export function encodeCursor(plan: QueryPlan, before: string): string {
  return Buffer.from(JSON.stringify({ q: plan.fingerprint, ts: before })).toString('base64url');
}

const SORT_KEY_FORM = /^(\d{11})#(\d{16})$/;

/**
 * The inclusive upper bound of the sort key for the page after `cursor`, checked against the
 * listing it is used with: the sort key just below the cursor's.
 */
export function decodeCursor(cursor: string, plan: QueryPlan): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!isPlainObject(parsed)) throw invalidCursor();
  const { q, ts } = parsed;
  if (q !== plan.fingerprint || typeof ts !== 'string') throw invalidCursor();
  const match = SORT_KEY_FORM.exec(ts);
  if (!match || ts <= plan.from || ts > plan.to) throw invalidCursor();
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id) || id < 1) throw invalidCursor();
  return listingSortKey(Number(match[1]), id - 1);
}

export function invalidCursor(): BadRequestError {
  return new BadRequestError(
    'invalid_cursor',
    'cursor is not one this listing returned: pass next_cursor unchanged, with the same filters',
  );
}
