// POST /webhooks/grafana: Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('grafana');
