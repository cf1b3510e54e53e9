// The status line, the one message box, and the token prompt.

import { isFailure } from './api';
import { type PageContext, TOKEN_KEY } from './context';
import { noticeFor } from './messages';

export function say(ctx: PageContext, text: string): void {
  ctx.el.status.textContent = text;
}

/** The one message box: an alert (wrong token, API down, refused) or the "no events" note. */
export function showProblem(ctx: PageContext, text: string, kind: 'alert' | 'empty' = 'alert'): void {
  const { problem } = ctx.el;
  problem.textContent = text;
  problem.hidden = text === '';
  problem.className = kind;
  problem.setAttribute('role', kind === 'alert' ? 'alert' : 'status');
}

export function stopTimer(ctx: PageContext): void {
  if (ctx.state.timer !== undefined) window.clearInterval(ctx.state.timer);
  ctx.state.timer = undefined;
}

/** Forgets the token and asks for it; `wrong` when the API refused the one given. */
export function askToken(ctx: PageContext, message: string, wrong: boolean): void {
  const { tokenPanel, browse, tokenMessage, tokenInput } = ctx.el;
  stopTimer(ctx);
  sessionStorage.removeItem(TOKEN_KEY);
  tokenPanel.hidden = false;
  browse.hidden = true;
  tokenMessage.textContent = message;
  tokenMessage.className = wrong ? 'alert' : '';
  tokenMessage.setAttribute('role', wrong ? 'alert' : 'note');
  tokenInput.value = '';
  tokenInput.focus();
}

/** Tells a person about a failed load, or asks for the token again. */
export function handle(ctx: PageContext, error: unknown): void {
  const notice = noticeFor(error);
  if (notice.ask === 'token') {
    askToken(ctx, notice.message, notice.wrong);
    return;
  }
  if (isFailure(error)) say(ctx, '');
  showProblem(ctx, notice.problem);
}
