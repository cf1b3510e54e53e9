// The crash-point explorer's reliability profiles: every schedule with at most two non-default
// choices (three in the long profile, for the smaller scenarios), then seeded random schedules.
// Short: at least 1,000 schedules; long (JUNOEVENT_RELIABILITY=long): at least 100,000.

import { describe, expect, it } from 'vitest';
import {
  type ExploreReport,
  exploreExhaustively,
  exploreRandomly,
  formatFinding,
  summaryLine,
} from '../explorer/explore';
import { SCENARIOS } from '../explorer/scenarios';
import { LONG } from './support';

const PROFILE = LONG
  ? { bound: 2, deepBound: 3, deepScenarios: 2, randomRuns: 24_000, minimum: 100_000 }
  : { bound: 2, deepBound: 2, deepScenarios: 0, randomRuns: 300, minimum: 1_000 };
const seed = Number(process.env.JUNOEVENT_EXPLORER_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('crash points', () => {
  it(`explores at least ${PROFILE.minimum.toLocaleString('en')} schedules with 0 invariant violations`, async () => {
    const reports: ExploreReport[] = [];
    for (const [index, scenario] of SCENARIOS.entries()) {
      const bound = index < PROFILE.deepScenarios ? PROFILE.deepBound : PROFILE.bound;
      reports.push(await exploreExhaustively(scenario, bound));
      reports.push(await exploreRandomly(scenario, seed, PROFILE.randomRuns));
    }
    const schedules = reports.reduce((sum, report) => sum + report.schedules, 0);
    const violating = reports.reduce((sum, report) => sum + report.violating, 0);
    const findings = reports.flatMap((report) => report.findings);
    console.log(`${summaryLine(schedules, violating)} (random seed ${seed}, ${LONG ? 'long' : 'short'} profile)`);
    for (const finding of findings) console.log(formatFinding(finding));
    expect(schedules).toBeGreaterThanOrEqual(PROFILE.minimum);
    expect(violating).toBe(0);
  });
});
