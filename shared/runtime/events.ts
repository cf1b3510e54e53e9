// The read API's route: the store, behind the API token (the current one, and the previous one
// during a rotation).

import { requireApiToken } from '../config/config';
import { type Config, inRotation } from '../config/types';
import { readApiRoute } from '../read-api/route';
import { type Runtime, withCredentials } from './assemble';

function apiTokens(config: Config): readonly string[] {
  return inRotation(requireApiToken(config), config.api.previousToken);
}

export const eventsRoute = (runtime: Runtime) => readApiRoute(withCredentials(runtime, 'api', apiTokens), runtime);
