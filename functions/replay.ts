// Invoked, not routed: publishes stored events of a filter again, in bounded runs (see docs/publishing.md, Replay).
import { containerRuntime } from '../shared/runtime/assemble';
import { replayHandler } from '../shared/runtime/replay';

export const handler = replayHandler(containerRuntime());
