// POST /webhooks/grafana: Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alerts.
import { containerRuntime } from '../shared/runtime/assemble';
import { httpFunction } from '../shared/runtime/http';
import { grafanaRoute } from '../shared/runtime/webhooks';

export const handler = httpFunction('grafana', grafanaRoute, containerRuntime);
