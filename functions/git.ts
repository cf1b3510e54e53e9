// POST /webhooks/git: GitLab and GitHub webhooks.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('git');
