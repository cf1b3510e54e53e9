// Scheduled: publishes every event still pending after a grace period, and reports the backlog.
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('redrive');
