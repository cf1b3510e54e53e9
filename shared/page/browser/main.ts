// The events page's script: finds the page's elements, wires its controls, and loads the view the
// address describes. Everything a sender wrote reaches the page through textContent, never as HTML.

import { currentView, go } from './address';
import { createReadApi } from './api';
import { CATALOG } from './catalog';
import { newState, type PageContext, TOKEN_KEY } from './context';
import { showDetail, wireDetail } from './detail';
import { field, findElements } from './elements';
import { fillOperations, formView, onRangeChange, showForm } from './form';
import { zoneLabel } from './format';
import { loadHealth } from './health';
import { loadList } from './list';
import { ASK_TOKEN } from './messages';
import { askToken, handle, showProblem, stopTimer } from './notices';
import { drawLegend, drawTimeline, loadTimeline } from './timeline';
import { withoutFilters } from './view';

const ctx: PageContext = {
  el: findElements(),
  api: createReadApi({
    fetch: (url, init) => fetch(url, init),
    token: () => sessionStorage.getItem(TOKEN_KEY),
    base: () => location.href,
  }),
  catalog: CATALOG,
  state: newState(),
};

/** Shows the view in the address: the token prompt without a token, else its list or timeline. */
async function load(): Promise<void> {
  const { el, state } = ctx;
  state.generation += 1;
  const view = currentView();
  showForm(ctx, view);
  showProblem(ctx, '');
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    askToken(ctx, ASK_TOKEN, false);
    return;
  }
  el.tokenPanel.hidden = true;
  el.browse.hidden = false;
  schedule(view.refresh);
  try {
    // The strip first and on its own: its reads and the view's would otherwise contend for the table.
    await loadHealth(ctx.api, el.health);
    if (view.view === 'timeline') await loadTimeline(ctx, view);
    else await loadList(ctx, view, true);
    if (view.event && !el.dialog.open) await showDetail(ctx, view.event);
  } catch (error) {
    handle(ctx, error);
  }
}

/** Loads again every `seconds` (none for 0). */
function schedule(seconds: number): void {
  stopTimer(ctx);
  if (seconds > 0) ctx.state.timer = window.setInterval(() => void load(), seconds * 1000);
}

function wireToken(): void {
  const { tokenForm, tokenInput, forget } = ctx.el;
  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    tokenInput.value = '';
    void load();
  });
  forget.addEventListener('click', () => askToken(ctx, ASK_TOKEN, false));
}

function wireFilters(): void {
  const { form } = ctx.el;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(formView(ctx));
    void load();
  });
  const source = field(form, 'source');
  source.addEventListener('change', () => fillOperations(ctx, source.value, field(form, 'operation').value));
  field(form, 'range').addEventListener('change', () => onRangeChange(ctx));
  ctx.el.clear.addEventListener('click', () => {
    go(withoutFilters(currentView()));
    void load();
  });
}

function wireNavigation(): void {
  const { el } = ctx;
  el.refresh.addEventListener('click', () => void load());
  el.auto.addEventListener('change', () => {
    go({ ...currentView(), refresh: Number(el.auto.value) }, true);
    schedule(Number(el.auto.value));
  });
  el.more.addEventListener('click', () => {
    loadList(ctx, currentView(), false).catch((error: unknown) => handle(ctx, error));
  });
  for (const [name, tab] of Object.entries(el.tabs)) {
    tab.addEventListener('click', (event) => {
      event.preventDefault();
      go({ ...currentView(), view: name === 'timeline' ? 'timeline' : 'list', event: '' });
      void load();
    });
  }
  window.addEventListener('popstate', () => {
    if (el.dialog.open && !currentView().event) el.dialog.close();
    void load();
  });
  let resizing: number | undefined;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(() => drawTimeline(ctx), 150);
  });
}

/** On a phone the filters start folded away under their summary; elsewhere they start open. */
function foldFilters(): void {
  ctx.el.filterPanel.open = !window.matchMedia('(max-width: 700px)').matches;
}

foldFilters();
wireToken();
wireFilters();
wireNavigation();
wireDetail(ctx);
ctx.el.timeHead.textContent = `Time (${zoneLabel(-new Date().getTimezoneOffset())})`;
drawLegend(ctx);
void load();
