// POST /webhooks/confgo and /webhooks/devops: a Juno event envelope signed with Standard Webhooks.
// The webhook-id is the delivery key; an unsigned request (allowed only by a local config) has none.

import type { SourceConfig } from '../../config/types';
import type { Source } from '../../event/catalog';
import { type HttpRequest, parseJsonBody, type Route, requireJsonContent } from '../../http/request';
import { recordEvents, shape, type WebhookDeps } from '../pipeline';
import { authenticateStandardWebhook } from '../standard-webhooks';
import { parseEnvelope } from './envelope';

export function envelopeRoute(source: Source, sourceConfig: () => Promise<SourceConfig>, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const config = await sourceConfig();
    const nowSeconds = Math.floor(deps.now() / 1000);
    const deliveryKey = authenticateStandardWebhook(config, request, nowSeconds);
    requireJsonContent(request);
    const body = parseJsonBody(request.rawBody);
    const draft = shape(body, (parsed) => parseEnvelope(source, parsed, nowSeconds));
    return recordEvents(source, [{ draft, deliveryKey }], deps);
  };
}
