import { describe, expect, it } from 'vitest';
import { createIdGenerator, ID_EPOCH_MS, idTime } from '../../shared/event/ids';

describe('event ids', () => {
  it('are positive safe integers that encode the time they were drawn', () => {
    const at = Date.UTC(2026, 10, 28, 12, 0, 0);
    const ids = createIdGenerator({ now: () => at, randomInt: () => 7 });
    const id = ids.next();
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(id).toBe((at - ID_EPOCH_MS) * 4096 + 7);
    expect(idTime(id)).toBe(at);
  });

  it('strictly increase within one container, also within one millisecond', () => {
    const ids = createIdGenerator({ now: () => ID_EPOCH_MS + 1000 });
    const drawn = Array.from({ length: 5000 }, () => ids.next());
    for (let i = 1; i < drawn.length; i += 1) expect(drawn[i]).toBeGreaterThan(drawn[i - 1] ?? 0);
  });

  it('increase with time across containers', () => {
    let clock = ID_EPOCH_MS + 5000;
    const a = createIdGenerator({ now: () => clock, randomInt: () => 2047 });
    const b = createIdGenerator({ now: () => clock, randomInt: () => 0 });
    const first = a.next();
    clock += 1;
    expect(b.next()).toBeGreaterThan(first);
  });

  it('keep increasing when the clock steps back', () => {
    let clock = ID_EPOCH_MS + 10_000;
    const ids = createIdGenerator({ now: () => clock });
    const before = ids.next();
    clock -= 500;
    expect(ids.next()).toBeGreaterThan(before);
  });

  it('stay below 2^53 until 2093', () => {
    const ids = createIdGenerator({ now: () => Date.UTC(2093, 0, 1), randomInt: () => 2047 });
    expect(ids.next()).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });
});
