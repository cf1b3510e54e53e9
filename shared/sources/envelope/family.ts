// confgo and devops: a Juno event envelope signed with Standard Webhooks. The webhook-id is the
// delivery key; an unsigned request (allowed only by a local config) has none.

import type { SourceConfig } from '../../config/types';
import type { Source } from '../../event/catalog';
import type { SenderFamily } from '../family';
import { authenticateStandardWebhook } from '../standard-webhooks';
import { parseEnvelope } from './envelope';

export function envelopeFamily(source: Source): SenderFamily<SourceConfig> {
  return {
    source,
    authenticate: authenticateStandardWebhook,
    shape: (body, _request, _config, { deliveryKey, nowSeconds }) => ({
      events: [{ draft: parseEnvelope(source, body, nowSeconds), deliveryKey }],
    }),
  };
}
