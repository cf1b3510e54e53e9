// A schedule is the list of choices a run made at each decision point. A run follows a given prefix,
// then takes the default (0) or, in a random run, a seeded pick. Replaying the same choices replays
// the same run exactly.

export interface Decision {
  value: number;
  arity: number;
  /** What the chosen option did, for printing. */
  label: string;
}

/** mulberry32: a small seeded generator, so a random run is replayed from its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Chooser {
  readonly decisions: Decision[] = [];

  constructor(
    private readonly prefix: readonly number[],
    private readonly random?: () => number,
    private readonly deviationRate = 0.12,
  ) {}

  /** Picks one of `arity` options; `label(i)` says what option i does. */
  choose(arity: number, label: (index: number) => string): number {
    const at = this.decisions.length;
    let value = 0;
    if (at < this.prefix.length) value = Math.min(this.prefix[at] ?? 0, arity - 1);
    else if (this.random !== undefined && arity > 1 && this.random() < this.deviationRate) {
      value = 1 + Math.floor(this.random() * (arity - 1));
    }
    this.decisions.push({ value, arity, label: label(value) });
    return value;
  }
}

/** Non-default choices in `values`. */
export function deviations(values: readonly number[]): number {
  return values.filter((value) => value !== 0).length;
}

/**
 * The prefix of the next schedule in depth-first order among those with at most `bound` non-default
 * choices, after a run that made `decisions`; undefined when every such schedule has run.
 */
export function nextPrefix(decisions: readonly Decision[], bound: number): number[] | undefined {
  const values = decisions.map((decision) => decision.value);
  for (let at = decisions.length - 1; at >= 0; at -= 1) {
    const decision = decisions[at] as Decision;
    if (decision.value + 1 >= decision.arity) continue;
    const before = deviations(values.slice(0, at));
    if (before + 1 > bound) continue;
    return [...values.slice(0, at), decision.value + 1];
  }
  return undefined;
}
