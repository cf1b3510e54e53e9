// The list view: a table of events newest first, fifty at a time, with Load more. Each row says what
// happened in one line (its headline), with the operation's name and code beneath.

import { headline } from '../../event/headline';
import type { PageEvent } from './api';
import type { PageContext } from './context';
import { openDetail } from './detail';
import { appLabel, listSummary, when } from './format';
import { hasMore, listingsFor, take } from './listings';
import { NO_EVENTS } from './messages';
import { say, showProblem } from './notices';
import type { View } from './view';

/** Events per page of the list, and per read of the API for it. */
const LIST_PAGE = 50;

function cell(text: string, className = ''): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function row(ctx: PageContext, event: PageEvent): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'link';
  open.textContent = headline(event);
  open.setAttribute('aria-label', `Open event ${event.id}: ${event.operation} of ${event.app_name || 'no app'}`);
  open.addEventListener('click', () => openDetail(ctx, String(event.id)));
  const op = document.createElement('td');
  op.className = 'what';
  const kind = document.createElement('span');
  kind.className = 'kind';
  const code = document.createElement('code');
  code.textContent = event.operation;
  kind.append(event.operation_name, ' ', code);
  op.append(open, kind);
  const time = document.createElement('td');
  const stamp = document.createElement('time');
  stamp.dateTime = new Date(event.create_time * 1000).toISOString();
  stamp.textContent = when(event.create_time);
  time.append(stamp);
  tr.append(
    time,
    cell(appLabel(event.app_name), event.app_name ? '' : 'none'),
    cell(event.env, 'wide'),
    cell(event.source, `source ${event.source}`),
    op,
    cell(event.user_name, 'wide'),
    cell(event.host_name, 'wide'),
  );
  tr.dataset.id = String(event.id);
  return tr;
}

/** Adds rows, and offers every app seen so far in the App filter. */
function addRows(ctx: PageContext, events: PageEvent[]): void {
  const { seenApps } = ctx.state;
  for (const event of events) {
    seenApps.add(event.app_name);
    ctx.el.rows.append(row(ctx, event));
  }
  ctx.el.apps.replaceChildren(
    ...[...seenApps]
      .filter(Boolean)
      .sort()
      .map((app) => new Option(app)),
  );
}

/** The first page of the view's events (`first`), or the next one. */
export async function loadList(ctx: PageContext, view: View, first: boolean): Promise<void> {
  const { state } = ctx;
  const { rows, more } = ctx.el;
  const mine = state.generation;
  if (first) state.listings = listingsFor(view, ctx.catalog, Math.floor(Date.now() / 1000));
  more.disabled = true;
  say(ctx, first ? 'Loading events…' : 'Loading more events…');
  const events = await take(ctx.api, state.listings, LIST_PAGE, LIST_PAGE);
  if (mine !== state.generation) return;
  if (first) rows.replaceChildren();
  addRows(ctx, events);
  const shown = rows.children.length;
  more.hidden = !hasMore(state.listings);
  more.disabled = false;
  if (shown === 0) {
    say(ctx, '');
    showProblem(ctx, NO_EVENTS, 'empty');
  } else {
    say(ctx, listSummary(shown, state.listings.length, !more.hidden));
  }
}
