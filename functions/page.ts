// GET /, /app.js, /app.css: the events page; GET /openapi.json: the API's contract.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('page');
