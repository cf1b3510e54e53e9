// The recording protocol with one of its publishing rules taken out, so the explorer can show that
// each rule is needed (test/unit/crash-points.test.ts): without it, an event is stored and never
// published (I3).

import { recordingStore } from '../../shared/store/recording';
import type { Protocol } from './world';

/** The pending mark written after the event instead of before it. */
export const MARK_AFTER_WRITE: Protocol = (ops, options) =>
  recordingStore(
    {
      ...ops,
      putMark: async () => undefined,
      putEvent: async (record, delivery) => {
        const outcome = await ops.putEvent(record, delivery);
        if (outcome.written && options.publishing) await ops.putMark(record.id);
        return outcome;
      },
    },
    options,
  );

/** The redrive drops a mark whose event is not stored without closing its id first. */
export const DROP_WITHOUT_CLOSING: Protocol = (ops, options) =>
  recordingStore({ ...ops, closeId: async () => true }, options);
