// POST /webhooks/devops: a Juno event envelope signed with Standard Webhooks.
import { envelopeFunction } from '../shared/runtime';

export const handler = envelopeFunction('devops');
