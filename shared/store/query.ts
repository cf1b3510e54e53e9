// Planning a listing: which index, which key, which filters, and the opaque cursor that continues
// it. Pure: no I/O. A cursor is bound to the listing that made it; any other use is 400 invalid_cursor.

import { sha256Base64url } from '../crypto';
import { BadRequestError } from '../errors';
import { isPlainObject } from '../event/fields';
import { ATTR, eventKey, LISTING_INDEXES, type ListingIndex, listingSortKey, listingSortKeyEnd } from './schema';
import type { ListQuery } from './types';

export interface QueryPlan {
  index: ListingIndex;
  /** The index partition key's value. */
  key: string;
  keyCondition: string;
  filter: string | undefined;
  names: Record<string, string>;
  values: Record<string, string>;
  /** What a cursor of this listing is bound to. */
  fingerprint: string;
}

const LATEST_SECONDS = 99_999_999_999;

export function planQuery(query: ListQuery): QueryPlan {
  const index: ListingIndex = query.app_name === undefined ? 'bySource' : 'byApp';
  const key = query.app_name ?? query.source;
  if (key === undefined) throw new Error('a listing needs app_name or source');
  const from = listingSortKey(query.since ?? 0, 0);
  const to = listingSortKeyEnd(query.until ?? LATEST_SECONDS);
  const names: Record<string, string> = { '#key': LISTING_INDEXES[index], '#ts': ATTR.ts };
  const values: Record<string, string> = { ':key': key, ':from': from, ':to': to };
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
    key,
    keyCondition: '#key = :key AND #ts BETWEEN :from AND :to',
    filter: filters.length ? filters.join(' AND ') : undefined,
    names,
    values,
    fingerprint: sha256Base64url(JSON.stringify([index, values])).slice(0, 22),
  };
}

/** The cursor after `item` (an index entry or a LastEvaluatedKey). */
export function encodeCursor(plan: QueryPlan, item: Record<string, unknown> | undefined): string | undefined {
  if (item === undefined) return undefined;
  return Buffer.from(JSON.stringify({ q: plan.fingerprint, ts: item[ATTR.ts] })).toString('base64url');
}

const SORT_KEY_FORM = /^(\d{11})#(\d{16})$/;

/** The ExclusiveStartKey of a cursor, checked against the listing it is used with. */
export function decodeCursor(cursor: string, plan: QueryPlan): Record<string, string> {
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
  const from = plan.values[':from'] ?? '';
  const to = plan.values[':to'] ?? '';
  if (!match || ts < from || ts > to) throw invalidCursor();
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id) || id < 1) throw invalidCursor();
  return { [ATTR.pk]: eventKey(id), [ATTR.ts]: ts, [LISTING_INDEXES[plan.index]]: plan.key };
}

export function invalidCursor(): BadRequestError {
  return new BadRequestError(
    'invalid_cursor',
    'cursor is not one this listing returned: pass next_cursor unchanged, with the same filters',
  );
}
