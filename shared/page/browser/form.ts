// The filters form and the tabs: filled from the view in the address, and read back into one.

import { currentView } from './address';
import type { PageContext } from './context';
import { field } from './elements';
import { fromLocalInput, localInput } from './format';
import { type View, viewAddress } from './view';

/** The Operation choices for a source (all sources when none), keeping `selected` if it is offered. */
export function fillOperations(ctx: PageContext, source: string, selected: string): void {
  const select = field(ctx.el.form, 'operation');
  select.replaceChildren(new Option('any operation', ''));
  for (const entry of ctx.catalog.sources) {
    if (source && entry.source !== source) continue;
    const group = document.createElement('optgroup');
    group.label = `${entry.source} (${entry.name})`;
    for (const op of entry.operations) {
      // app_node_restart is in two sources: offered once when all sources are shown.
      if (!source && [...select.querySelectorAll('option')].some((o) => o.value === op.operation)) continue;
      group.append(new Option(`${op.operation} (${op.name})`, op.operation));
    }
    select.append(group);
  }
  select.value = [...select.querySelectorAll('option')].some((o) => o.value === selected) ? selected : '';
}

/** From and To are shown only for a custom range. */
function showCustomRange(ctx: PageContext, custom: boolean): void {
  for (const name of ['from', 'to']) {
    const input = field(ctx.el.form, name);
    input.disabled = !custom;
    if (input.parentElement) input.parentElement.hidden = !custom;
  }
}

/** The form, the auto-refresh choice, the tabs and the shown view as `view` says. */
export function showForm(ctx: PageContext, view: View): void {
  const { form, auto, tabs, listView, timelineView } = ctx.el;
  field(form, 'app').value = view.app;
  field(form, 'source').value = view.source;
  fillOperations(ctx, view.source, view.operation);
  field(form, 'env').value = view.env;
  field(form, 'range').value = view.range;
  field(form, 'from').value = localInput(view.since);
  field(form, 'to').value = localInput(view.until);
  showCustomRange(ctx, view.range === 'custom');
  auto.value = String(view.refresh);
  for (const [name, tab] of Object.entries(tabs)) {
    const current = name === view.view;
    if (current) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
    tab.href = viewAddress({ ...view, view: name === 'timeline' ? 'timeline' : 'list', event: '' }, location.pathname);
  }
  listView.hidden = view.view !== 'list';
  timelineView.hidden = view.view !== 'timeline';
}

/** The view the form describes, with the address's tab and refresh; no event open. */
export function formView(ctx: PageContext): View {
  const value = (name: string) => field(ctx.el.form, name).value;
  const range = value('range');
  return {
    ...currentView(),
    app: value('app').trim(),
    source: value('source'),
    operation: value('operation'),
    env: value('env').trim(),
    range,
    since: range === 'custom' ? fromLocalInput(value('from')) : undefined,
    until: range === 'custom' ? fromLocalInput(value('to')) : undefined,
    event: '',
  };
}

/** Choosing a custom range shows From and To, filled with the last 24 hours if empty. */
export function onRangeChange(ctx: PageContext): void {
  const custom = field(ctx.el.form, 'range').value === 'custom';
  showCustomRange(ctx, custom);
  const now = Math.floor(Date.now() / 1000);
  const from = field(ctx.el.form, 'from');
  const to = field(ctx.el.form, 'to');
  if (custom && !from.value) from.value = localInput(now - 86400);
  if (custom && !to.value) to.value = localInput(now);
}
