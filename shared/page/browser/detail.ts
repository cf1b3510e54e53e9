// An event's detail in a dialog: its headline first, then what happened around it (for an alert the
// changes of its app in the 2 hours before, for a change the alerts in the hour after, each opening
// its own detail), then every field of the record and its metadata pretty-printed. The event's id is
// in the address while the dialog is open. The same dialog lists the events a timeline mark gathers.

import { alertsAfter, changesBefore, contextWindows, isAlert } from '../../event/context';
import { headline } from '../../event/headline';
import { currentView, go } from './address';
import { isFailure, type PageEvent, readEvent, readPage } from './api';
import type { PageContext } from './context';
import { appLabel, fieldText, prettyMetadata, when } from './format';
import { handle } from './notices';

/** Counts what the dialog was asked to show: an answer for an earlier request is dropped. */
let showing = 0;

export function openDetail(ctx: PageContext, id: string): void {
  const view = currentView();
  if (view.event !== id) go({ ...view, event: id });
  void showDetail(ctx, id);
}

/** A list entry: time, source and headline, as a button that opens the event's detail. */
function entry(ctx: PageContext, event: PageEvent): HTMLLIElement {
  const item = document.createElement('li');
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'entry';
  const time = document.createElement('time');
  time.dateTime = new Date(event.create_time * 1000).toISOString();
  time.textContent = when(event.create_time);
  const source = document.createElement('span');
  source.className = `source ${event.source}`;
  source.textContent = event.source;
  const text = document.createElement('span');
  text.className = 'headline';
  text.textContent = headline(event);
  open.append(time, ' ', source, ' ', text);
  open.setAttribute('aria-label', `Open event ${event.id}: ${headline(event)}`);
  open.addEventListener('click', () => openDetail(ctx, String(event.id)));
  item.append(open);
  return item;
}

/** Shows a list of events in the dialog (a timeline mark's gathered events). */
export function showEvents(ctx: PageContext, title: string, events: readonly PageEvent[]): void {
  const { dialog, detailTitle, detailHeadline, detailBody, detailContext, contextTitle, contextList } = ctx.el;
  showing += 1;
  detailTitle.textContent = title;
  detailHeadline.hidden = true;
  detailBody.hidden = true;
  detailContext.hidden = false;
  contextTitle.textContent = 'Events in this mark, newest first';
  contextList.replaceChildren(...events.map((event) => entry(ctx, event)));
  if (!dialog.open) dialog.showModal();
}

/** The changes before an alert, or the alerts after a change, read from the listing of its app. */
async function showContext(ctx: PageContext, record: PageEvent, mine: number): Promise<void> {
  const { detailContext, contextTitle, contextList } = ctx.el;
  const alert = isAlert(record);
  detailContext.hidden = false;
  contextTitle.textContent = alert ? 'Changes in the 2 hours before' : 'Alerts in the hour after';
  contextList.replaceChildren(note(record.app_name ? 'Loading…' : 'This event names no app: nothing to relate it to.'));
  if (!record.app_name) return;
  const windows = contextWindows(record);
  const window = alert ? windows.before : windows.after;
  if (window === undefined) return;
  const params: Record<string, string> = {
    app_name: record.app_name,
    since: String(window.since),
    until: String(window.until),
    limit: '100',
  };
  if (!alert) params.source = 'grafana';
  const { events } = readPage(await ctx.api('events', params));
  if (mine !== showing) return;
  const related = alert ? changesBefore(record, events, windows) : alertsAfter(record, events, windows);
  contextList.replaceChildren(...(related.length ? related.map((event) => entry(ctx, event)) : [note('None.')]));
}

function note(text: string): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'note';
  item.textContent = text;
  return item;
}

export async function showDetail(ctx: PageContext, id: string): Promise<void> {
  const { dialog, detailTitle, detailHeadline, detailBody, detailContext, detailFields, detailMetadata } = ctx.el;
  showing += 1;
  const mine = showing;
  detailTitle.textContent = `Event ${id}`;
  detailHeadline.hidden = false;
  detailHeadline.textContent = '';
  detailBody.hidden = false;
  detailContext.hidden = true;
  detailFields.replaceChildren();
  detailMetadata.textContent = 'Loading…';
  if (!dialog.open) dialog.showModal();
  try {
    const record = await readEvent(ctx.api, id);
    if (mine !== showing) return;
    detailTitle.textContent = `${record.operation_name} · ${appLabel(record.app_name)} · event ${record.id}`;
    detailHeadline.textContent = headline(record);
    for (const name of ctx.catalog.fields) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = fieldText(name, record[name]);
      detailFields.append(dt, dd);
    }
    detailMetadata.textContent = prettyMetadata(record.metadata);
    await showContext(ctx, record, mine);
  } catch (error) {
    detailMetadata.textContent = '';
    if (isFailure(error) && error.kind === 'missing') detailTitle.textContent = `No event has id ${id}`;
    else {
      dialog.close();
      handle(ctx, error);
    }
  }
}

/** Closing the dialog (Close, Escape) takes the event out of the address, in place. */
export function wireDetail(ctx: PageContext): void {
  const { dialog, detailClose } = ctx.el;
  dialog.addEventListener('close', () => {
    const view = currentView();
    if (view.event) go({ ...view, event: '' }, true);
  });
  detailClose.addEventListener('click', () => dialog.close());
}
