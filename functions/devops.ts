// POST /webhooks/devops: a Juno event envelope signed with Standard Webhooks.
import { containerRuntime } from '../shared/runtime/assemble';
import { httpFunction } from '../shared/runtime/http';
import { devopsRoute } from '../shared/runtime/webhooks';

export const handler = httpFunction('devops', devopsRoute, containerRuntime);
