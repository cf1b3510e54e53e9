// GET /, /app.js, /app.css: the events page; GET /openapi.json: the API's contract.
import { pageRoute } from '../shared/page/route';
import { containerBase } from '../shared/runtime/base';
import { httpFunction } from '../shared/runtime/http';

// No table, no publisher, no secrets: only the config, the log and the metrics.
export const handler = httpFunction('page', pageRoute, containerBase);
