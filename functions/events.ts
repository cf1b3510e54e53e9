// GET /events/{id} and GET /events: the read API.
import { readApiFunction } from '../shared/runtime';

export const handler = readApiFunction();
