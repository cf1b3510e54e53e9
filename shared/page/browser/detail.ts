// An event's detail in a dialog: every field of the record, and its metadata pretty-printed. The
// event's id is in the address while the dialog is open.

import { currentView, go } from './address';
import { isFailure, readEvent } from './api';
import type { PageContext } from './context';
import { appLabel, fieldText, prettyMetadata } from './format';
import { handle } from './notices';

export function openDetail(ctx: PageContext, id: string): void {
  const view = currentView();
  if (view.event !== id) go({ ...view, event: id });
  void showDetail(ctx, id);
}

export async function showDetail(ctx: PageContext, id: string): Promise<void> {
  const { dialog, detailTitle, detailFields, detailMetadata } = ctx.el;
  detailTitle.textContent = `Event ${id}`;
  detailFields.replaceChildren();
  detailMetadata.textContent = 'Loading…';
  if (!dialog.open) dialog.showModal();
  try {
    const record = await readEvent(ctx.api, id);
    detailTitle.textContent = `${record.operation_name} · ${appLabel(record.app_name)} · event ${record.id}`;
    for (const name of ctx.catalog.fields) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = fieldText(name, record[name]);
      detailFields.append(dt, dd);
    }
    detailMetadata.textContent = prettyMetadata(record.metadata);
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
