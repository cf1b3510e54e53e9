// GET /events/{id} and GET /events: the read API.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('events');
