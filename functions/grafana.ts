// POST /webhooks/grafana: Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts.
import { grafanaFunction } from '../shared/runtime';

export const handler = grafanaFunction();
