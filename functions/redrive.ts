// Scheduled: publishes every event still pending after a grace period, and reports the backlog.
import { containerRuntime } from '../shared/runtime/assemble';
import { redriveHandler } from '../shared/runtime/redrive';

export const handler = redriveHandler(containerRuntime());
