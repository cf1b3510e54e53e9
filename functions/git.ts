// POST /webhooks/git: GitLab and GitHub webhooks.
import { containerRuntime } from '../shared/runtime/assemble';
import { httpFunction } from '../shared/runtime/http';
import { gitRoute } from '../shared/runtime/webhooks';

export const handler = httpFunction('git', gitRoute, containerRuntime);
