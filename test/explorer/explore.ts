// The crash-point explorer: runs the recording protocol's scenarios under every schedule up to a
// bound of non-default choices (exhaustively), or under seeded random schedules, checks the
// invariants after each, and shrinks a violating schedule to its shortest form. A printed schedule
// is replayed with replaySchedule(scenario, choices).

import { checkInvariants, type Violation } from './invariants';
import { createMemoryTable, type MemoryTableOptions } from './memory-table';
import { Chooser, deviations, nextPrefix, seededRandom } from './schedule';
import { type Protocol, type RunResult, runWorld, type Scenario, type WorldTable } from './world';

export type TableFactory = (now: () => number) => Promise<WorldTable>;

/** The in-memory table; `options` as the embedded DynamoDB answers, or as DynamoDB does (the default). */
export const memoryTable =
  (options: MemoryTableOptions = {}): TableFactory =>
  async (now) => {
    const table = createMemoryTable(now, options);
    return {
      ops: table,
      storedEvents: async () => {
        const stored = new Map<number, { json: string; delivery: string | undefined }>();
        for (const item of table.items()) {
          if (!String(item.pk).startsWith('E#')) continue;
          const record = await table.get(Number(item.id));
          if (record !== undefined) {
            stored.set(record.id, { json: JSON.stringify(record), delivery: item.delivery as string | undefined });
          }
        }
        return stored;
      },
    };
  };

export interface Finding {
  scenario: string;
  /** The choices that replay it. */
  schedule: number[];
  violations: Violation[];
  trace: string[];
}

export interface ExploreReport {
  schedules: number;
  /** Schedules that broke an invariant. */
  violating: number;
  /** The first of them for each broken invariant, shrunk. */
  findings: Finding[];
}

async function note(
  report: ExploreReport,
  scenario: Scenario,
  run: RunResult,
  violations: Violation[],
  options: RunOptions,
) {
  report.schedules += 1;
  if (violations.length === 0) return;
  report.violating += 1;
  const known = new Set(report.findings.flatMap((finding) => finding.violations.map((v) => v.invariant)));
  if (violations.some((violation) => !known.has(violation.invariant))) {
    report.findings.push(await shrink(scenario, values(run), options));
  }
}

/** Where a schedule runs: the table (memory by default) and the protocol (claim-first by default). */
export interface RunOptions {
  table?: TableFactory;
  protocol?: Protocol;
}

/** Runs one schedule (a prefix of choices, then defaults or seeded picks). */
export async function runSchedule(
  scenario: Scenario,
  prefix: readonly number[],
  options: RunOptions & { random?: () => number } = {},
): Promise<{ run: RunResult; violations: Violation[] }> {
  const chooser = new Chooser(prefix, options.random);
  const table = options.table ?? memoryTable({ returnsRefusingItem: scenario.refusalsCarryItem ?? true });
  const run = await runWorld(scenario, chooser, table, options.protocol);
  return { run, violations: checkInvariants(scenario, run) };
}

/** Replays a printed schedule: the same choices give the same run. */
export const replaySchedule = (scenario: Scenario, schedule: readonly number[], options: RunOptions = {}) =>
  runSchedule(scenario, schedule, options);

/** Every schedule with at most `bound` non-default choices, depth first, up to `limit` schedules. */
export async function exploreExhaustively(
  scenario: Scenario,
  bound: number,
  options: RunOptions & { limit?: number } = {},
) {
  const report: ExploreReport = { schedules: 0, violating: 0, findings: [] };
  let prefix: number[] | undefined = [];
  while (prefix !== undefined && report.schedules < (options.limit ?? Number.POSITIVE_INFINITY)) {
    const { run, violations } = await runSchedule(scenario, prefix, options);
    await note(report, scenario, run, violations, options);
    prefix = nextPrefix(run.decisions, bound);
  }
  return report;
}

/** `runs` schedules drawn from `seed`, each run with its own seed (seed + run). */
export async function exploreRandomly(scenario: Scenario, seed: number, runs: number, options: RunOptions = {}) {
  const report: ExploreReport = { schedules: 0, violating: 0, findings: [] };
  for (let run = 0; run < runs; run += 1) {
    const outcome = await runSchedule(scenario, [], { ...options, random: seededRandom(seed + run) });
    await note(report, scenario, outcome.run, outcome.violations, options);
  }
  return report;
}

const values = (run: RunResult) => run.decisions.map((decision) => decision.value);

/** The shortest schedule that still violates an invariant: non-default choices dropped one at a time. */
export async function shrink(
  scenario: Scenario,
  schedule: readonly number[],
  options: RunOptions = {},
): Promise<Finding> {
  let best = trimDefaults(schedule);
  let changed = true;
  while (changed) {
    changed = false;
    for (let at = 0; at < best.length; at += 1) {
      if (best[at] === 0) continue;
      for (const candidate of [withValue(best, at, 0), withValue(best, at, (best[at] ?? 1) - 1)]) {
        if ((await runSchedule(scenario, candidate, options)).violations.length > 0) {
          best = trimDefaults(candidate);
          changed = true;
          break;
        }
      }
    }
  }
  const { run, violations } = await runSchedule(scenario, best, options);
  return { scenario: scenario.name, schedule: best, violations, trace: traceOf(run) };
}

function withValue(schedule: readonly number[], at: number, value: number): number[] {
  return schedule.map((old, index) => (index === at ? value : old));
}

function trimDefaults(schedule: readonly number[]): number[] {
  let end = schedule.length;
  while (end > 0 && schedule[end - 1] === 0) end -= 1;
  return schedule.slice(0, end);
}

/** The run's steps as lines a person reads, the deviations marked. */
export function traceOf(run: RunResult): string[] {
  return run.decisions.map(
    (decision, index) => `${String(index + 1).padStart(3)}${decision.value === 0 ? ' ' : '*'} ${decision.label}`,
  );
}

export function formatFinding(finding: Finding): string {
  return [
    `scenario ${finding.scenario}: ${finding.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ')}`,
    `  schedule (${deviations(finding.schedule)} non-default choices): [${finding.schedule.join(',')}]`,
    ...finding.trace.map((line) => `  ${line}`),
  ].join('\n');
}

/** The one line every run prints, computed from what ran. */
export function summaryLine(schedules: number, violations: number): string {
  return `crash points: ${schedules} schedules explored, ${violations} invariant violations`;
}
