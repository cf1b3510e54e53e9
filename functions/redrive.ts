// Scheduled: publishes every event still pending after a grace period, and reports the backlog.
import { redriveFunction } from '../shared/runtime';

export const handler = redriveFunction();
