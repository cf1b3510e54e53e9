// POST /webhooks/grafana: Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts.
import { httpHandler } from '../shared/runtime';

export const handler = httpHandler('grafana');
