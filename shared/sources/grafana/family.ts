// Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts: one event per alert,
// each keyed by its own fields.

import type { GrafanaSourceConfig } from '../../config/types';
import type { SenderFamily } from '../family';
import { authenticateGrafana } from './auth';
import { shapeAlerts } from './shape';

export const grafanaFamily: SenderFamily<GrafanaSourceConfig> = {
  source: 'grafana',
  authenticate: authenticateGrafana,
  shape: (body, request, config, { metadataBudget, nowSeconds }) => ({
    events: shapeAlerts(body, { labels: config.labels, metadataBudget, nowSeconds, rawBody: request.rawBody }),
  }),
};
