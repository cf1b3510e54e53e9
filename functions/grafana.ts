// POST /webhooks/grafana: answers 501 until the grafana formats are accepted.
import { pendingFunction } from '../shared/runtime';

export const handler = pendingFunction('grafana');
