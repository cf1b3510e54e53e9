// GET /events/{id} and GET /events: the read API.
import { containerRuntime } from '../shared/runtime/assemble';
import { eventsRoute } from '../shared/runtime/events';
import { httpFunction } from '../shared/runtime/http';

export const handler = httpFunction('events', eventsRoute, containerRuntime);
