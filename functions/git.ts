// POST /webhooks/git: answers 501 until the git formats are accepted.
import { pendingFunction } from '../shared/runtime';

export const handler = pendingFunction('git');
