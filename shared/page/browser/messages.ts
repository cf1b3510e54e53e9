// What the page says when a request fails: the token prompt again, or one line in the message box.

import { isFailure } from './api';

export const ASK_TOKEN = 'Enter the read API token to see events. It is kept in this tab only, never in the address.';
export const NO_EVENTS = 'No events match these filters in this time range.';

export type Notice = { ask: 'token'; message: string; wrong: boolean } | { ask: 'nothing'; problem: string };

/** What to tell a person about `error`, a Failure from the read API or anything the page threw. */
export function noticeFor(error: unknown): Notice {
  if (!isFailure(error)) return { ask: 'nothing', problem: `Something went wrong in the page: ${String(error)}` };
  if (error.kind === 'token') {
    return error.status === 401
      ? {
          ask: 'token',
          message: `The API refused this token (${error.message}). Enter the read API token again.`,
          wrong: true,
        }
      : { ask: 'token', message: 'Enter the read API token to see events.', wrong: false };
  }
  if (error.kind === 'unavailable') {
    const reason = error.status ? error.message : 'no answer';
    return { ask: 'nothing', problem: `The API is unavailable (${reason}). Events are kept; try Refresh in a moment.` };
  }
  return { ask: 'nothing', problem: `The API refused the request: ${error.message}` };
}
