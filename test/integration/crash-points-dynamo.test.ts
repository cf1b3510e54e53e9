// The explorer's in-memory table must answer as DynamoDB does: a sample of schedules runs against it
// and against the embedded DynamoDB (the real table operations through the SDK), and each must make
// the same decisions, answer the same, store the same events and publish the same messages. The
// embedded DynamoDB does not hand back the item that refused a conditional write (DynamoDB does, and
// the explorer's table does by default), so here the in-memory table answers without it too.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoTable } from '../../shared/store/dynamo';
import { parseEventItem } from '../../shared/store/items';
import { memoryTable, runSchedule, type TableFactory } from '../explorer/explore';
import { SCENARIOS } from '../explorer/scenarios';
import { seededRandom } from '../explorer/schedule';
import type { RunResult } from '../explorer/world';
import { startTestTable, TABLE, type TestTable } from '../support/dynamo';

let table: TestTable;

beforeAll(async () => {
  table = await startTestTable();
});

afterAll(async () => {
  await table?.close();
});

const dynamoTable: TableFactory = async (now) => {
  await table.clear();
  return {
    ops: createDynamoTable({ client: table.client, table: TABLE, now }),
    storedEvents: async () =>
      new Map(
        (await table.events()).map((item) => [
          Number(item.id),
          { json: JSON.stringify(parseEventItem(item)), delivery: item.delivery as string | undefined },
        ]),
      ),
  };
};

/** What must be the same on both tables. */
function outcome(run: RunResult) {
  return {
    steps: run.decisions.map((decision) => decision.label),
    answers: run.copies.map((copy) => [copy.actor, copy.status, copy.ids]),
    stored: [...run.stored.entries()].sort(([a], [b]) => a - b),
    messages: run.messages.map((message) => `${message.id}:${message.replay}`).sort(),
    errors: run.errors,
  };
}

const RANDOM_PER_SCENARIO = 2;
const EXHAUSTIVE_PER_SCENARIO = 4;

describe('the explorer’s table against the embedded DynamoDB', () => {
  it('makes the same decisions, answers, stored events and messages on a sample of schedules', async () => {
    const seed = Number(process.env.JUNOEVENT_EXPLORER_SEED ?? Math.floor(Math.random() * 2 ** 31));
    let compared = 0;
    for (const scenario of SCENARIOS) {
      // The first schedules in depth-first order (faults on the first calls), then random ones.
      const schedules: number[][] = [];
      for (let run = 0; run < EXHAUSTIVE_PER_SCENARIO + RANDOM_PER_SCENARIO; run += 1) {
        const random = run < EXHAUSTIVE_PER_SCENARIO ? undefined : seededRandom(seed + run);
        const asEmulator = { table: memoryTable({ returnsRefusingItem: false }) };
        const memory = await runSchedule(
          scenario,
          schedules[run] ?? [],
          random ? { ...asEmulator, random } : asEmulator,
        );
        const choices = memory.run.decisions.map((decision) => decision.value);
        const dynamo = await runSchedule(scenario, choices, { table: dynamoTable });
        expect(outcome(dynamo.run), `${scenario.name}, schedule [${choices}] (seed ${seed})`).toEqual(
          outcome(memory.run),
        );
        expect(dynamo.violations).toEqual([]);
        compared += 1;
        schedules.push(...nextDepthFirst(choices, run));
      }
    }
    console.log(`crash points: ${compared} schedules compared with the embedded DynamoDB, 0 differences`);
  }, 180_000);
});

/** Deviates one step further each time: schedule n makes its n-th decision non-default. */
function nextDepthFirst(choices: readonly number[], run: number): number[][] {
  const at = Math.min(run + 1, choices.length - 1);
  return [[...choices.slice(0, at), 1]];
}
