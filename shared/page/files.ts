// The files GET /, /app.js, /app.css and /openapi.json serve, by name. Loaded on the first request
// only: the build makes this module a bundle of its own (dist/page-files.js), so no other function
// carries the page or the document.

import openapi from '../../openapi.json';
import { PAGE_HTML, PAGE_SCRIPT, PAGE_STYLE } from './assets';

export const PAGE_FILES: Readonly<Record<string, { contentType: string; content: string }>> = {
  '': { contentType: 'text/html; charset=utf-8', content: PAGE_HTML },
  'app.js': { contentType: 'text/javascript; charset=utf-8', content: PAGE_SCRIPT },
  'app.css': { contentType: 'text/css; charset=utf-8', content: PAGE_STYLE },
  'openapi.json': { contentType: 'application/json', content: JSON.stringify(openapi) },
};
