// Shared pieces of the reliability suite: the profile, and the one summary line per scenario.

export const LONG = process.env.JUNOEVENT_RELIABILITY === 'long';

/** Property-based cases per route: CI's short profile, or the long one. */
export const CASES_PER_ROUTE = LONG ? 100_000 : 1_000;

export interface ScenarioCounts {
  sent: number;
  accepted: number;
  rejected: number;
  stored: number;
  published: number | 'n/a';
  lost: number;
  duplicated: number;
}

/** Prints the scenario's summary line (also when an assertion fails later). */
export function summary(scenario: string, counts: ScenarioCounts): void {
  const fields = Object.entries(counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`reliability ${scenario}: ${fields}`);
}
