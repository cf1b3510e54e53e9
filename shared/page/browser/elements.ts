// The page's elements, found once by id (the HTML is assets.ts): a missing one stops the script at
// once with its name, rather than at the first use.

export interface Elements {
  tokenPanel: HTMLElement;
  tokenForm: HTMLFormElement;
  tokenInput: HTMLInputElement;
  tokenMessage: HTMLElement;
  browse: HTMLElement;
  health: HTMLUListElement;
  form: HTMLFormElement;
  filterPanel: HTMLDetailsElement;
  status: HTMLElement;
  problem: HTMLElement;
  rows: HTMLTableSectionElement;
  listView: HTMLElement;
  timelineView: HTMLElement;
  timeline: HTMLElement;
  legend: HTMLElement;
  more: HTMLButtonElement;
  dialog: HTMLDialogElement;
  detailTitle: HTMLElement;
  detailHeadline: HTMLElement;
  detailContext: HTMLElement;
  contextTitle: HTMLElement;
  contextList: HTMLElement;
  detailBody: HTMLElement;
  detailFields: HTMLElement;
  detailMetadata: HTMLElement;
  detailClose: HTMLButtonElement;
  auto: HTMLSelectElement;
  apps: HTMLDataListElement;
  clear: HTMLButtonElement;
  refresh: HTMLButtonElement;
  forget: HTMLButtonElement;
  timeHead: HTMLElement;
  tabs: { list: HTMLAnchorElement; timeline: HTMLAnchorElement };
}

function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
  return found;
}

export function findElements(): Elements {
  return {
    tokenPanel: byId('token-panel', HTMLElement),
    tokenForm: byId('token-form', HTMLFormElement),
    tokenInput: byId('token', HTMLInputElement),
    tokenMessage: byId('token-message', HTMLElement),
    browse: byId('browse', HTMLElement),
    health: byId('health', HTMLUListElement),
    form: byId('filters', HTMLFormElement),
    filterPanel: byId('filter-panel', HTMLDetailsElement),
    status: byId('status', HTMLElement),
    problem: byId('problem', HTMLElement),
    rows: byId('rows', HTMLTableSectionElement),
    listView: byId('list-view', HTMLElement),
    timelineView: byId('timeline-view', HTMLElement),
    timeline: byId('timeline', HTMLElement),
    legend: byId('legend', HTMLElement),
    more: byId('more', HTMLButtonElement),
    dialog: byId('detail', HTMLDialogElement),
    detailTitle: byId('detail-title', HTMLElement),
    detailHeadline: byId('detail-headline', HTMLElement),
    detailContext: byId('detail-context', HTMLElement),
    contextTitle: byId('context-title', HTMLElement),
    contextList: byId('context-list', HTMLElement),
    detailBody: byId('detail-body', HTMLElement),
    detailFields: byId('detail-fields', HTMLElement),
    detailMetadata: byId('detail-metadata', HTMLElement),
    detailClose: byId('detail-close', HTMLButtonElement),
    auto: byId('auto', HTMLSelectElement),
    apps: byId('apps', HTMLDataListElement),
    clear: byId('clear', HTMLButtonElement),
    refresh: byId('refresh', HTMLButtonElement),
    forget: byId('forget', HTMLButtonElement),
    timeHead: byId('time-head', HTMLElement),
    tabs: { list: byId('tab-list', HTMLAnchorElement), timeline: byId('tab-timeline', HTMLAnchorElement) },
  };
}

/** A filter of the form by name. */
export function field(form: HTMLFormElement, name: string): HTMLInputElement | HTMLSelectElement {
  const found = form.elements.namedItem(name);
  if (!(found instanceof HTMLInputElement || found instanceof HTMLSelectElement)) throw new Error(`no ${name} field`);
  return found;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(name: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}
