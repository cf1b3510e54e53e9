// One explored run: the real webhook pipeline, redrive and replay code, run as actors over a table
// and a broker whose every call waits for the scheduler. At each decision point the schedule picks
// which waiting call goes next and its fate (answered, failed, applied with its answer lost, or hung
// past the deadline and perhaps applied later), or an event of the world: a copy of a delivery
// arrives, a function crashes or runs out of time, the delivery window expires, a redrive or a replay
// starts, a hung call lands.

import { ServiceUnavailableError } from '../../shared/errors';
import { createIdGenerator } from '../../shared/event/ids';
import { type AppEvent, type EventDraft, recordJson, type ShapedEvent } from '../../shared/event/record';
import { redrive } from '../../shared/publishing/redrive';
import { replay } from '../../shared/publishing/replay';
import type { Publisher } from '../../shared/publishing/types';
import { recordEvents } from '../../shared/sources/pipeline';
import { type RecordingOptions, recordingStore } from '../../shared/store/recording';
import { deliveryItemKey } from '../../shared/store/schema';
import type { ClaimOutcome, DeliveryClaim, EventStore, TableOperations } from '../../shared/store/types';
import type { EarlierOperations } from './memory-table';
import type { Chooser, Decision } from './schedule';

export interface Scenario {
  name: string;
  publishing: boolean;
  /** Copies of each delivery that arrive: [3] is one delivery sent three times. */
  deliveries: readonly number[];
  /** Events in each delivery's body (each with its own key, as a notification's alerts). */
  eventsPerBody: number;
  /** Every function draws the same ids (two containers in the same millisecond). */
  sameIds: boolean;
  /** How many times each kind of world event may happen in one run. */
  crashes: number;
  expiries: number;
  redrives: number;
  replays: number;
  deadlines: number;
  /** Calls that may fail, lose their answer or hang in one run. */
  faults: number;
  /** A refused conditional write hands back the refusing item (DynamoDB); false: it does not (the emulator). */
  refusalsCarryItem?: boolean;
}

export const WINDOW_SECONDS = 3600;
export const T0 = Date.UTC(2026, 10, 1);
const CREATE_TIME = 1_790_000_000;

type Fate = 'answered' | 'failed' | 'answer lost' | 'hung';
const FATES: readonly Fate[] = ['answered', 'failed', 'answer lost', 'hung'];

interface Call {
  actor: string;
  what: string;
  apply: () => Promise<unknown>;
  observe: (result: unknown) => void;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface CopyOutcome {
  actor: string;
  delivery: number;
  startEpisode: number;
  endEpisode: number;
  status: number | undefined;
  ids: number[];
  error: string | undefined;
}

/** A claim and every event id it named (it moves when its id was taken), with the episode it began in. */
export interface Generation {
  pk: string;
  episode: number;
  ids: Set<number>;
}

export interface Message {
  id: number;
  json: string;
  replay: boolean;
}

export interface RunResult {
  decisions: Decision[];
  copies: CopyOutcome[];
  /** Stored events at the end: id → record JSON and delivery. */
  stored: Map<number, { json: string; delivery: string | undefined }>;
  /** The record each id was first written with. */
  firstWritten: Map<number, string>;
  generations: Generation[];
  messages: Message[];
  /** Errors that must never happen (a 500 from a fault, a failure of the final redrive). */
  errors: string[];
  deliveryKeys: string[];
}

/** What the run's table is, and how its final state is read. */
export interface WorldTable {
  ops: TableOperations & Partial<EarlierOperations>;
  storedEvents(): Promise<Map<number, { json: string; delivery: string | undefined }>>;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function draftOf(delivery: number, event: number): EventDraft {
  return {
    app_name: `app-${delivery}`,
    aid: 1,
    zone_code: 'z1',
    env: 'prod',
    host_name: `host-${event}`,
    operator_type: 'user',
    user_name: 'u',
    uid: 7,
    operation: 'confgo_file_publish',
    create_time: CREATE_TIME + event,
    source: 'confgo',
    metadata: JSON.stringify({ delivery, event }),
  };
}

/** How a function's store is built over a table: the protocol under exploration. */
export type Protocol = (ops: TableOperations & EarlierOperations, options: RecordingOptions) => EventStore;

export const CLAIM_FIRST: Protocol = recordingStore;

export async function runWorld(
  scenario: Scenario,
  chooser: Chooser,
  makeTable: (now: () => number) => Promise<WorldTable>,
  protocol: Protocol = CLAIM_FIRST,
): Promise<RunResult> {
  let clock = T0;
  const now = () => clock;
  const table = await makeTable(now);
  let episode = 0;
  let faults = 0;
  const budget = {
    crashes: scenario.crashes,
    expiries: scenario.expiries,
    redrives: scenario.redrives,
    replays: scenario.replays,
    deadlines: scenario.deadlines,
  };
  const waiting: Call[] = [];
  const hung: Call[] = [];
  const running = new Set<string>();
  const crashed = new Set<string>();
  const outOfTime = new Set<string>();
  const result: RunResult = {
    decisions: chooser.decisions,
    copies: [],
    stored: new Map(),
    firstWritten: new Map(),
    generations: [],
    messages: [],
    errors: [],
    deliveryKeys: [],
  };
  const keyOf = (delivery: number, event: number) => `d${delivery}-e${event}`;
  for (let d = 0; d < scenario.deliveries.length; d += 1) {
    for (let e = 0; e < scenario.eventsPerBody; e += 1)
      result.deliveryKeys.push(deliveryItemKey('confgo', keyOf(d, e)));
  }

  const observe = {
    claimDelivery: (claim: DeliveryClaim, outcome: ClaimOutcome) => {
      if (outcome.claimed) result.generations.push({ pk: claim.pk, episode, ids: new Set([claim.eventId]) });
    },
    repointDelivery: (pk: string, from: number, to: number, moved: boolean) => {
      if (!moved) return;
      const generation = result.generations.filter((g) => g.pk === pk && g.ids.has(from)).at(-1);
      generation?.ids.add(to);
    },
    putEvent: (record: AppEvent, written: boolean) => {
      if (written && !result.firstWritten.has(record.id)) result.firstWritten.set(record.id, recordJson(record));
    },
  };

  /** Sends a call through the scheduler: it waits until chosen, then meets its fate. */
  function call<T>(actor: string, what: string, apply: () => Promise<T>, seen: (value: T) => void): Promise<T> {
    if (crashed.has(actor)) return new Promise<T>(() => undefined);
    return new Promise<T>((resolve, reject) => {
      waiting.push({
        actor,
        what,
        apply,
        observe: (value) => seen(value as T),
        resolve: (value) => resolve(value as T),
        reject,
      });
    });
  }

  function tableFor(actor: string): TableOperations & EarlierOperations {
    const ops = table.ops;
    const missing = () => Promise.reject(new Error('this table has no such operation'));
    const via =
      <A extends unknown[], R>(
        name: string,
        method: (...args: A) => Promise<R>,
        seen: (args: A, value: R) => void = () => {},
      ) =>
      (...args: A) =>
        call(
          actor,
          `${name}(${describe(args)})`,
          () => method(...args),
          (value: R) => seen(args, value),
        );
    return {
      claimDelivery: via('claimDelivery', ops.claimDelivery, ([claim], outcome) =>
        observe.claimDelivery(claim, outcome),
      ),
      readDelivery: via('readDelivery', ops.readDelivery),
      repointDelivery: via('repointDelivery', ops.repointDelivery, ([pk, from, to], moved) =>
        observe.repointDelivery(pk, from, to, moved),
      ),
      putMark: via('putMark', ops.putMark),
      putEvent: via('putEvent', ops.putEvent, ([record], outcome) => observe.putEvent(record, outcome.written)),
      readEvent: via('readEvent', ops.readEvent),
      get: via('get', ops.get),
      list: via('list', ops.list),
      markPublished: via('markPublished', ops.markPublished),
      markPublishFailed: via('markPublishFailed', ops.markPublishFailed),
      closeId: via('closeId', ops.closeId),
      isMarked: via('isMarked', ops.isMarked),
      pendingEvents: via('pendingEvents', ops.pendingEvents),
      backlog: via('backlog', ops.backlog),
      discardEvent: via('discardEvent', ops.discardEvent ?? missing),
      claimIfAbsent: via('claimIfAbsent', ops.claimIfAbsent ?? missing, ([claim], outcome) =>
        observe.claimDelivery(claim, outcome),
      ),
    };
  }

  function publisherFor(actor: string, replaying: boolean): Publisher {
    return {
      publish: (record, options) =>
        call(
          actor,
          `publish(${record.id})`,
          async () => undefined,
          () => result.messages.push({ id: record.id, json: recordJson(record), replay: replaying || !!options }),
        ),
      close: async () => undefined,
    };
  }

  const copiesToStart: { delivery: number; copy: number }[] = scenario.deliveries.flatMap((count, delivery) =>
    Array.from({ length: count }, (_, copy) => ({ delivery, copy })),
  );

  function startCopy(next: { delivery: number; copy: number }) {
    const actor = `copy ${next.delivery}.${next.copy}`;
    const index = copiesToStart.indexOf(next);
    // Same ids: every function draws in the same millisecond of its window (ids drawn a window
    // apart always differ: a clock does not step back by a whole window).
    const ids = createIdGenerator({
      now: scenario.sameIds ? () => T0 + episode * (WINDOW_SECONDS + 1) * 1000 : now,
      randomInt: () => (scenario.sameIds ? 0 : index * 16),
    });
    const shaped: ShapedEvent[] = Array.from({ length: scenario.eventsPerBody }, (_, event) => ({
      draft: draftOf(next.delivery, event),
      deliveryKey: keyOf(next.delivery, event),
      redeliveryWindowSeconds: WINDOW_SECONDS,
    }));
    const store = protocol(tableFor(actor), {
      ids,
      now,
      redeliveryWindowSeconds: WINDOW_SECONDS,
      publishing: scenario.publishing,
    });
    const outcome: CopyOutcome = {
      actor,
      delivery: next.delivery,
      startEpisode: episode,
      endEpisode: episode,
      status: undefined,
      ids: [],
      error: undefined,
    };
    result.copies.push(outcome);
    running.add(actor);
    const deps = {
      store,
      now,
      metadataBudget: 4096,
      publisher: scenario.publishing ? publisherFor(actor, false) : undefined,
      logger: quiet,
    };
    recordEvents('confgo', shaped, deps, { canStart: () => !outOfTime.has(actor) }).then(
      (answer) => {
        if (crashed.has(actor)) return;
        outcome.status = answer.status;
        outcome.ids = ((answer.body as { events: { id: number }[] }).events ?? []).map((event) => event.id);
        outcome.endEpisode = episode;
        running.delete(actor);
      },
      (error: unknown) => {
        if (crashed.has(actor)) return;
        outcome.status = error instanceof ServiceUnavailableError ? 503 : 500;
        outcome.error = error instanceof Error ? error.message : String(error);
        outcome.endEpisode = episode;
        if (outcome.status === 500) result.errors.push(`${actor} answered 500: ${outcome.error}`);
        running.delete(actor);
      },
    );
  }

  let helpers = 0;
  function startHelper(kind: 'redrive' | 'replay') {
    if (kind === 'redrive') budget.redrives -= 1;
    else budget.replays -= 1;
    helpers += 1;
    const actor = `${kind} ${helpers}`;
    running.add(actor);
    const store = protocol(tableFor(actor), {
      ids: createIdGenerator({ now }),
      now,
      redeliveryWindowSeconds: WINDOW_SECONDS,
      publishing: scenario.publishing,
    });
    const run =
      kind === 'redrive'
        ? redrive({
            store,
            publisher: publisherFor(actor, false),
            logger: quiet,
            now,
            timeLeft: () => !outOfTime.has(actor),
            graceMs: 0,
          })
        : replay(
            { kind: 'start', filter: { since: 0 }, dryRun: false, maxEvents: 100 },
            {
              store,
              publisher: publisherFor(actor, true),
              logger: quiet,
              now,
              timeLeft: () => true,
              newId: () => 'rp-x',
              resumeKey: 'explorer-resume-key',
            },
          );
    run.then(
      () => running.delete(actor),
      (error: unknown) => {
        if (!crashed.has(actor) && !(error instanceof ServiceUnavailableError)) {
          result.errors.push(`${actor} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        running.delete(actor);
      },
    );
  }

  /** The world events possible now, each a label and what it does. */
  function worldEvents(): [string, () => void][] {
    const events: [string, () => void][] = [];
    const nextCopy = copiesToStart[result.copies.length];
    if (nextCopy !== undefined) {
      events.push([`copy ${nextCopy.delivery}.${nextCopy.copy} arrives`, () => startCopy(nextCopy)]);
    }
    for (const [index, pending] of hung.entries()) {
      events.push([`the hung ${pending.what} of ${pending.actor} lands`, () => landHung(index)]);
    }
    if (budget.expiries > 0) {
      events.push([
        'the delivery window expires',
        () => {
          budget.expiries -= 1;
          episode += 1;
          clock += (WINDOW_SECONDS + 1) * 1000;
        },
      ]);
    }
    if (budget.redrives > 0) events.push(['a redrive starts', () => startHelper('redrive')]);
    if (budget.replays > 0) events.push(['a replay starts', () => startHelper('replay')]);
    for (const actor of running) {
      if (budget.crashes > 0) events.push([`${actor} crashes`, () => crash(actor)]);
      if (budget.deadlines > 0 && !outOfTime.has(actor)) {
        events.push([`${actor} runs out of time`, () => runOutOfTime(actor)]);
      }
    }
    return events;
  }

  function runOutOfTime(actor: string) {
    budget.deadlines -= 1;
    outOfTime.add(actor);
  }

  function crash(actor: string) {
    budget.crashes -= 1;
    crashed.add(actor);
    running.delete(actor);
    // Its requests in flight may still reach the table or the broker.
    for (let i = waiting.length - 1; i >= 0; i -= 1) {
      const pending = waiting[i] as Call;
      if (pending.actor === actor) hung.push(...waiting.splice(i, 1));
    }
  }

  let landing: Promise<void> = Promise.resolve();
  function landHung(index: number) {
    const [pending] = hung.splice(index, 1);
    if (pending === undefined) return;
    landing = pending.apply().then(pending.observe, () => undefined);
  }

  async function decide(): Promise<boolean> {
    const events = worldEvents();
    const options = waiting.length + events.length;
    if (options === 0) return false;
    const pick = chooser.choose(options, (i) =>
      i < waiting.length ? `${waiting[i]?.actor}: ${waiting[i]?.what}` : (events[i - waiting.length]?.[0] ?? '?'),
    );
    clock += 1;
    if (pick >= waiting.length) {
      events[pick - waiting.length]?.[1]();
      await landing;
      return true;
    }
    const [chosen] = waiting.splice(pick, 1);
    if (chosen === undefined) return true;
    const fate = faults < scenario.faults ? FATES[chooser.choose(FATES.length, (i) => `→ ${FATES[i]}`)] : 'answered';
    if (fate !== 'answered') faults += 1;
    if (fate === 'failed') chosen.reject(new ServiceUnavailableError(`${chosen.what} failed`));
    else if (fate === 'hung') {
      hung.push(chosen);
      chosen.reject(new ServiceUnavailableError(`${chosen.what} timed out`));
    } else {
      const value = await chosen.apply();
      chosen.observe(value);
      if (fate === 'answered') chosen.resolve(value);
      else chosen.reject(new ServiceUnavailableError(`the answer to ${chosen.what} was lost`));
    }
    return true;
  }

  for (let step = 0; step < 400; step += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!(await decide())) break;
  }
  if (running.size > 0) result.errors.push(`the run did not finish: ${[...running].join(', ')} still running`);
  await settleBacklog(scenario, protocol, table, result, {
    now,
    later: () => {
      clock += 20 * 60_000;
    },
  });
  result.stored = await table.storedEvents();
  return result;
}

/** After the run, with nothing failing: the scheduled redrive publishes whatever is still pending. */
async function settleBacklog(
  scenario: Scenario,
  protocol: Protocol,
  table: WorldTable,
  result: RunResult,
  clock: { now: () => number; later: () => void },
) {
  if (!scenario.publishing) return;
  const publisher: Publisher = {
    publish: async (record) => {
      result.messages.push({ id: record.id, json: recordJson(record), replay: false });
    },
    close: async () => undefined,
  };
  const missing = () => Promise.reject(new Error('this table has no such operation'));
  const ops = { discardEvent: missing, claimIfAbsent: missing, ...table.ops };
  const store = protocol(ops, {
    ids: createIdGenerator(),
    now: clock.now,
    redeliveryWindowSeconds: WINDOW_SECONDS,
    publishing: true,
  });
  for (let run = 0; run < 3; run += 1) {
    clock.later();
    const report = await redrive({ store, publisher, logger: quiet, now: clock.now, timeLeft: () => true });
    if (report.backlog === 0) return;
  }
  result.errors.push('the final redrive left events pending with the broker up');
}

function describe(args: readonly unknown[]): string {
  return args
    .map((arg) => {
      if (typeof arg === 'string') return arg.startsWith('D#') ? `D#…${arg.slice(-4)}` : arg;
      if (typeof arg === 'number') return String(arg);
      if (arg !== null && typeof arg === 'object' && 'eventId' in arg) return `claim ${String(arg.eventId)}`;
      if (arg !== null && typeof arg === 'object' && 'id' in arg && 'source' in arg) return `event ${String(arg.id)}`;
      return '…';
    })
    .join(', ');
}
