// POST /webhooks/confgo: a Juno event envelope signed with Standard Webhooks.
import { containerRuntime } from '../shared/runtime/assemble';
import { httpFunction } from '../shared/runtime/http';
import { confgoRoute } from '../shared/runtime/webhooks';

export const handler = httpFunction('confgo', confgoRoute, containerRuntime);
