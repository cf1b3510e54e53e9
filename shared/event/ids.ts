// Event ids: positive integers below 2^53, increasing with time, unique across concurrent Lambdas
// without a shared counter.
//
//   id = (milliseconds since 2024-01-01T00:00:00Z) * 4096 + sequence
//
// 41 bits of milliseconds last until 2093; the 12-bit sequence starts at a random value in each
// millisecond and counts up within it, so one container's ids strictly increase and two containers
// collide only if they draw the same sequence in the same millisecond. The store writes every event
// with a conditional put on its id, so a collision is detected there and resolved by drawing a new id.

import { randomInt as cryptoRandomInt } from 'node:crypto';

export const ID_EPOCH_MS = Date.UTC(2024, 0, 1);
const SEQUENCE_SPAN = 4096;
/** Fresh sequences start in the lower half, leaving room to count up within a millisecond. */
const SEQUENCE_START_SPAN = SEQUENCE_SPAN / 2;

export interface IdGenerator {
  next(): number;
}

export interface IdGeneratorOptions {
  now?: () => number;
  /** Returns an integer in [0, bound). */
  randomInt?: (bound: number) => number;
}

export function createIdGenerator(options: IdGeneratorOptions = {}): IdGenerator {
  const now = options.now ?? Date.now;
  const randomInt = options.randomInt ?? cryptoRandomInt;
  let lastMs = -1;
  let sequence = 0;
  return {
    next() {
      const ms = Math.max(now() - ID_EPOCH_MS, 0);
      if (ms > lastMs) {
        lastMs = ms;
        sequence = randomInt(SEQUENCE_START_SPAN);
      } else if (sequence + 1 < SEQUENCE_SPAN) {
        sequence += 1;
      } else {
        // 4096 ids in one millisecond (or a clock that stepped back): borrow the next millisecond.
        lastMs += 1;
        sequence = randomInt(SEQUENCE_START_SPAN);
      }
      return lastMs * SEQUENCE_SPAN + sequence;
    },
  };
}

/** The time an id was drawn, in unix milliseconds. */
export function idTime(id: number): number {
  return Math.floor(id / SEQUENCE_SPAN) + ID_EPOCH_MS;
}

/** The largest id that can have been drawn at unix millisecond `ms` or before. */
export function maxIdAt(ms: number): number {
  return (Math.max(ms - ID_EPOCH_MS, 0) + 1) * SEQUENCE_SPAN - 1;
}
