// GET /, /app.js, /app.css and /openapi.json: the events page and the API's contract. Public: the
// files hold no data; the page asks for the read API token and sends it only to the read API.

import { NotFoundError } from '../errors';
import type { HttpRequest, HttpResult, Route } from '../http/request';

/** Only the page's own files run, and the page talks only to its own origin. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function pageRoute(): Route {
  let files: Promise<typeof import('./files')> | undefined;
  return async (request: HttpRequest): Promise<HttpResult> => {
    files ??= import('./files');
    const { PAGE_FILES } = await files;
    const name = request.path.slice(request.path.lastIndexOf('/') + 1);
    const file = Object.hasOwn(PAGE_FILES, name) ? PAGE_FILES[name] : undefined;
    if (file === undefined) throw new NotFoundError('no such file: the page is GET /');
    return {
      status: 200,
      body: undefined,
      text: file,
      headers: {
        'cache-control': 'no-cache',
        'content-security-policy': PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    };
  };
}
