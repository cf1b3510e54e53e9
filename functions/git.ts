// POST /webhooks/git: GitLab and GitHub webhooks.
import { httpHandler } from '../shared/runtime';

export const handler = httpHandler('git');
