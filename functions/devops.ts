// POST /webhooks/devops: a Juno event envelope signed with Standard Webhooks.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('devops');
