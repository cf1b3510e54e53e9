// POST /webhooks/confgo: a Juno event envelope signed with Standard Webhooks.
import { httpHandler } from '../shared/runtime';

export const handler = httpHandler('confgo');
