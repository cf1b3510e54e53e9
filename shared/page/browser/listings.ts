// The events of a view, newest first. The read API needs app_name, source or operation: with none
// chosen, each source is read as a listing of its own and the listings are merged by time.

import { type PageEvent, type ReadApi, readPage } from './api';
import type { PageCatalog } from './catalog';
import { rangeOf, type View } from './view';

/** One GET /events query read page by page: what has been read and not yet shown, and where to go on. */
export interface Listing {
  params: Record<string, string>;
  buffer: PageEvent[];
  cursor: string | undefined;
  done: boolean;
}

/** The listings a view reads at `now` (unix seconds). */
export function listingsFor(view: View, catalog: PageCatalog, now: number): Listing[] {
  const { since, until } = rangeOf(view, now);
  const base: Record<string, string> = {};
  if (view.app) base.app_name = view.app;
  if (view.operation) base.operation = view.operation;
  if (view.env) base.env = view.env;
  if (since !== undefined) base.since = String(since);
  if (until !== undefined) base.until = String(until);
  let sources = [view.source];
  if (!view.app && !view.source) {
    sources = catalog.sources
      .filter((s) => !view.operation || s.operations.some((o) => o.operation === view.operation))
      .map((s) => s.source);
  }
  return sources.map((source) => ({
    params: source ? { ...base, source } : base,
    buffer: [],
    cursor: undefined,
    done: false,
  }));
}

/** Newest first: the later time, and of two at the same second the higher id. */
export function newer(a: PageEvent, b: PageEvent): boolean {
  return a.create_time > b.create_time || (a.create_time === b.create_time && a.id > b.id);
}

/** The next `count` events of the listings merged newest first, reading pages as they run out. */
export async function take(api: ReadApi, from: Listing[], count: number, pageSize: number): Promise<PageEvent[]> {
  const out: PageEvent[] = [];
  while (out.length < count) {
    await Promise.all(from.filter((l) => l.buffer.length === 0 && !l.done).map((l) => readNextPage(api, l, pageSize)));
    let best: Listing | undefined;
    for (const l of from) {
      const head = l.buffer[0];
      const top = best?.buffer[0];
      if (head && (!top || newer(head, top))) best = l;
    }
    const next = best?.buffer.shift();
    if (!next) break;
    out.push(next);
  }
  return out;
}

async function readNextPage(api: ReadApi, listing: Listing, pageSize: number): Promise<void> {
  const params: Record<string, string> = { ...listing.params, limit: String(pageSize) };
  if (listing.cursor) params.cursor = listing.cursor;
  const page = readPage(await api('events', params));
  listing.buffer.push(...page.events);
  listing.cursor = page.next;
  listing.done = page.next === undefined;
}

/** Whether any listing has events not yet shown or pages not yet read. */
export function hasMore(from: Listing[]): boolean {
  return from.some((l) => l.buffer.length > 0 || !l.done);
}
