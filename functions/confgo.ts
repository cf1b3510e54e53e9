// POST /webhooks/confgo: a Juno event envelope signed with Standard Webhooks.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('confgo');
