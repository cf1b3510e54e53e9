import { describe, expect, it } from 'vitest';
import type { PageEvent, ReadApi } from '../../../shared/page/browser/api';
import { CATALOG } from '../../../shared/page/browser/catalog';
import { hasMore, listingsFor, take } from '../../../shared/page/browser/listings';
import { parseView } from '../../../shared/page/browser/view';

const NOW = 1_700_000_000;

function event(id: number, source: string, create_time: number): PageEvent {
  return {
    id,
    app_name: 'app',
    env: '',
    host_name: '',
    user_name: '',
    operation: 'app_node_restart',
    operation_name: '应用重启',
    create_time,
    source,
    metadata: '{}',
  };
}

/**
 * A read API over stored events per source, newest first, paged by `limit` with the offset as
 * cursor, as GET /events pages them; it records each query.
 */
function pagedApi(stored: Record<string, PageEvent[]>) {
  const asked: Record<string, string>[] = [];
  const api: ReadApi = async (path, params = {}) => {
    expect(path).toBe('events');
    asked.push(params);
    const all = stored[params.source ?? ''] ?? [];
    const start = Number(params.cursor ?? 0);
    const end = start + Number(params.limit);
    return { events: all.slice(start, end), ...(end < all.length ? { next_cursor: String(end) } : {}) };
  };
  return { api, asked };
}

describe('the page’s listings', () => {
  it('reads every source of the catalog when neither app nor source is chosen', () => {
    const listings = listingsFor(parseView(''), CATALOG, NOW);
    expect(listings.map((l) => l.params)).toEqual(
      ['confgo', 'git', 'devops', 'grafana'].map((source) => ({ since: String(NOW - 86400), source })),
    );
  });

  it('reads only the sources that record the chosen operation', () => {
    const listings = listingsFor(parseView('?operation=app_node_restart&env=prod&range=1h'), CATALOG, NOW);
    expect(listings.map((l) => l.params)).toEqual([
      { operation: 'app_node_restart', env: 'prod', since: String(NOW - 3600), source: 'confgo' },
      { operation: 'app_node_restart', env: 'prod', since: String(NOW - 3600), source: 'devops' },
    ]);
  });

  it('reads one listing for an app, across sources, over a custom range', () => {
    const listings = listingsFor(parseView('?app=user-svc&range=custom&since=100&until=200'), CATALOG, NOW);
    expect(listings.map((l) => l.params)).toEqual([{ app_name: 'user-svc', since: '100', until: '200' }]);
  });

  it('merges listings newest first, a tie in time going to the higher id, across their pages', async () => {
    const confgo = [event(9, 'confgo', 500), event(5, 'confgo', 300), event(3, 'confgo', 300), event(1, 'confgo', 100)];
    const devops = [event(8, 'devops', 400), event(4, 'devops', 300), event(2, 'devops', 200)];
    const { api, asked } = pagedApi({ confgo, devops });
    const listings = listingsFor(parseView('?operation=app_node_restart'), CATALOG, NOW);

    const first = await take(api, listings, 4, 2);
    expect(first.map((e) => e.id)).toEqual([9, 8, 5, 4]);
    expect(hasMore(listings)).toBe(true);
    const rest = await take(api, listings, 4, 2);
    expect(rest.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(hasMore(listings)).toBe(false);
    // Each page asked once, with the page size and the cursor of the page before.
    expect(asked.map(({ source, limit, cursor }) => `${source} ${limit} ${cursor ?? '-'}`)).toEqual([
      'confgo 2 -',
      'devops 2 -',
      'confgo 2 2',
      'devops 2 2',
    ]);
  });

  it('reads no page beyond what the events asked for need', async () => {
    const confgo = [event(3, 'confgo', 300), event(2, 'confgo', 200), event(1, 'confgo', 100)];
    const { api, asked } = pagedApi({ confgo });
    const listings = listingsFor(parseView('?source=confgo'), CATALOG, NOW);
    expect((await take(api, listings, 1, 1)).map((e) => e.id)).toEqual([3]);
    expect(asked).toHaveLength(1);
    expect(hasMore(listings)).toBe(true);
  });
});
