// GET /, /app.js, /app.css: the events page; GET /openapi.json: the API's contract.
import { httpHandler } from '../shared/runtime';

export const handler = httpHandler('page');
