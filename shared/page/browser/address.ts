// The view in this tab's address bar.

import { parseView, type View, viewAddress } from './view';

export function currentView(): View {
  return parseView(location.search);
}

/** Shows `view` in the address: a new history entry, or in place of the current one. */
export function go(view: View, replace = false): void {
  const url = viewAddress(view, location.pathname);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}
