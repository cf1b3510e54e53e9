// Invoked, not routed: publishes stored events of a filter again, in bounded runs (see docs/publishing.md, Replay).
import { replayFunction } from '../shared/runtime';

export const handler = replayFunction();
