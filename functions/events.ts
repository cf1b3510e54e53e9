// GET /events/{id} and GET /events: the read API.
import { httpHandler } from '../shared/runtime';

export const handler = httpHandler('events');
