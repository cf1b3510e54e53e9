// What the page's parts share: the elements, the read API, the catalog, and the little state that
// outlives one load.

import type { PageEvent, ReadApi } from './api';
import type { PageCatalog } from './catalog';
import type { Elements } from './elements';
import type { Listing } from './listings';

/** Where this tab keeps the token (sessionStorage): never in the address. */
export const TOKEN_KEY = 'junoevent.token';

export interface PageState {
  /** Counts loads: an answer that arrives after a newer load started is dropped. */
  generation: number;
  /** The list's listings, kept for Load more. */
  listings: Listing[];
  timer: number | undefined;
  /** The timeline last loaded, redrawn when the window is resized. */
  timeline: { events: PageEvent[]; since: number; until: number } | undefined;
  /** Every app seen so far, offered in the App filter. */
  seenApps: Set<string>;
}

export interface PageContext {
  el: Elements;
  api: ReadApi;
  catalog: PageCatalog;
  state: PageState;
}

export function newState(): PageState {
  return { generation: 0, listings: [], timer: undefined, timeline: undefined, seenApps: new Set() };
}
