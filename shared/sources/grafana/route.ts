// POST /webhooks/grafana: Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts.

import type { GrafanaSourceConfig } from '../../config/types';
import { type HttpRequest, parseJsonBody, type Route, requireJsonContent } from '../../http/request';
import { recordEvents, shape, type WebhookDeps } from '../pipeline';
import { authenticateGrafana } from './auth';
import { shapeAlerts } from './shape';

export function grafanaRoute(sourceConfig: () => Promise<GrafanaSourceConfig>, deps: WebhookDeps): Route {
  return async (request: HttpRequest) => {
    const config = await sourceConfig();
    const nowSeconds = Math.floor(deps.now() / 1000);
    authenticateGrafana(config, request, nowSeconds);
    requireJsonContent(request);
    const body = parseJsonBody(request.rawBody);
    const shaped = shape(body, (parsed) =>
      shapeAlerts(parsed, {
        labels: config.labels,
        metadataBudget: deps.metadataBudget,
        nowSeconds,
        rawBody: request.rawBody,
      }),
    );
    return recordEvents('grafana', shaped, deps);
  };
}
