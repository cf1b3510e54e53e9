// POST /webhooks/devops: a Juno event envelope signed with Standard Webhooks.
import { httpHandler } from '../shared/runtime';

export const handler = httpHandler('devops');
