// The crash-point explorer in `npm test`: every schedule of each scenario with at most one
// non-default choice, then seeded random schedules; 0 invariant violations. It also shows that the
// explorer finds what the protocol before claim-first got wrong, and what goes wrong without each
// publishing rule, and replays a printed schedule.

import { describe, expect, it } from 'vitest';
import { earlierStore } from '../explorer/earlier-protocol';
import {
  type ExploreReport,
  exploreExhaustively,
  exploreRandomly,
  formatFinding,
  replaySchedule,
  summaryLine,
} from '../explorer/explore';
import { SCENARIOS } from '../explorer/scenarios';
import { DROP_WITHOUT_CLOSING, MARK_AFTER_WRITE } from '../explorer/weakened';

const RANDOM_RUNS = 150;
const seed = Number(process.env.JUNOEVENT_EXPLORER_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('crash points (bounded)', () => {
  it('no schedule with one non-default choice, nor any seeded random one, breaks an invariant', async () => {
    const reports: ExploreReport[] = [];
    for (const scenario of SCENARIOS) {
      reports.push(await exploreExhaustively(scenario, 1));
      reports.push(await exploreRandomly(scenario, seed, RANDOM_RUNS));
    }
    const schedules = reports.reduce((sum, report) => sum + report.schedules, 0);
    const violating = reports.reduce((sum, report) => sum + report.violating, 0);
    const findings = reports.flatMap((report) => report.findings);
    console.log(`${summaryLine(schedules, violating)} (random seed ${seed})`);
    for (const finding of findings.slice(0, 3)) console.log(formatFinding(finding));
    expect(schedules).toBeGreaterThan(SCENARIOS.length * RANDOM_RUNS);
    expect(findings.map(formatFinding)).toEqual([]);
    expect(violating).toBe(0);
  }, 120_000);

  it('finds the breaks of the protocol before claim-first, each shrunk to a schedule that replays it', async () => {
    const found = new Map<string, string>();
    // Two non-default choices reach the deletion of an acknowledged event: the broker fails, then the
    // window expires before the same key comes round.
    for (const scenario of SCENARIOS.slice(0, 2)) {
      const report = await exploreExhaustively(scenario, 2, { protocol: earlierStore });
      for (const finding of report.findings) {
        for (const violation of finding.violations) found.set(violation.invariant, formatFinding(finding));
        const again = await replaySchedule(scenario, finding.schedule, { protocol: earlierStore });
        expect(again.violations).toEqual(finding.violations);
        const fixed = await replaySchedule(scenario, finding.schedule);
        expect(fixed.violations).toEqual([]);
      }
    }
    // A redelivery's leftover (I4) and an acknowledged event deleted by the redrive's repair (I2).
    expect([...found.keys()].sort()).toEqual(expect.arrayContaining(['I2', 'I4']));
  }, 120_000);

  it('finds a stored event never published without each publishing rule: mark first, close before dropping', async () => {
    const scenario = SCENARIOS.find((candidate) => candidate.publishing && candidate.redrives > 0);
    if (scenario === undefined) throw new Error('no scenario publishes with a redrive');
    for (const protocol of [MARK_AFTER_WRITE, DROP_WITHOUT_CLOSING]) {
      const report = await exploreExhaustively(scenario, 2, { protocol });
      const invariants = new Set(report.findings.flatMap((finding) => finding.violations.map((v) => v.invariant)));
      expect([...invariants]).toEqual(['I3']);
      const [first] = report.findings;
      if (first === undefined) throw new Error('no finding');
      expect((await replaySchedule(scenario, first.schedule)).violations).toEqual([]);
    }
  }, 120_000);
});
