// The replay function (invoked, no HTTP route): one bounded run per invocation, with a resume token
// for the rest, signed with the key from the function's own secret.

import { readReplaySecret } from '../config/secret-keys';
import { cachedSecret } from '../config/secrets';
import { ConfigError } from '../errors';
import { measuredPublisher } from '../publishing/measured';
import { replay } from '../publishing/replay';
import { parseReplayRequest, type ReplayRequest } from '../publishing/replay-request';
import { type Runtime, secretReadFailed } from './assemble';

/** Time a replay run keeps back to finish the publish in flight and answer. */
const REPLAY_MARGIN_MS = 15_000;

/** One replay run over `runtime` (publishing may be off for a dry run), its token signed with `resumeKey`. */
export function replayWith(runtime: Runtime, request: ReplayRequest, timeLeft: () => boolean, resumeKey: string) {
  const { store, logger, now, publisher, metrics } = runtime;
  return replay(request, {
    store,
    publisher: publisher && measuredPublisher(publisher, 'replay', metrics, now),
    logger,
    metrics,
    now,
    timeLeft,
    resumeKey,
  });
}

/** The key that signs replay resume tokens: the `resumeKey` of the replay function's own secret. */
export function replayKey(runtime: Runtime): () => Promise<string> {
  const { secrets, logger, metrics } = runtime;
  if (secrets === undefined) {
    const missing = new ConfigError('the replay function reads its resumeKey from its secret: set JUNOEVENT_SECRETS');
    return () => Promise.reject(missing);
  }
  const cache = cachedSecret(secrets, (secret) => readReplaySecret(secret, secrets.name), {
    now: runtime.now,
    onError: secretReadFailed(logger, metrics, secrets.name, 'replay'),
  });
  return () => cache.get();
}

/** The replay function's handler over `runtime`; the invocation's metrics are written. */
export function replayHandler(runtime: Runtime) {
  const key = replayKey(runtime);
  return async (event: unknown, context: { getRemainingTimeInMillis(): number }) => {
    try {
      const resumeKey = await key();
      const timeLeft = () => context.getRemainingTimeInMillis() > REPLAY_MARGIN_MS;
      return await replayWith(runtime, parseReplayRequest(event, resumeKey), timeLeft, resumeKey);
    } finally {
      runtime.metrics.flush();
    }
  };
}
