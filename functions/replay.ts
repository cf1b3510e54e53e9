// Invoked, not routed: publishes stored events of a filter again, in bounded runs (see docs/publishing.md, Replay).
import { functionHandler } from '../shared/runtime';

export const handler = functionHandler('replay');
