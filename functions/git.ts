// POST /webhooks/git: GitLab and GitHub webhooks.
import { gitFunction } from '../shared/runtime';

export const handler = gitFunction();
