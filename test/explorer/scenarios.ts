// The scenarios the explorer runs: each a set of actors and how often each kind of world event and
// fault may happen in one run.

import type { Scenario } from './world';

const none = { crashes: 0, expiries: 0, redrives: 0, replays: 0, deadlines: 0 };

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'three copies of one delivery, publishing off',
    publishing: false,
    deliveries: [3],
    eventsPerBody: 1,
    sameIds: false,
    ...none,
    crashes: 1,
    expiries: 1,
    faults: 2,
  },
  {
    name: 'two copies of one delivery, publishing on, with a redrive',
    publishing: true,
    deliveries: [2],
    eventsPerBody: 1,
    sameIds: false,
    ...none,
    crashes: 1,
    expiries: 1,
    redrives: 1,
    faults: 2,
  },
  {
    name: 'two deliveries drawing the same ids, publishing on',
    publishing: true,
    deliveries: [2, 1],
    eventsPerBody: 1,
    sameIds: true,
    ...none,
    crashes: 1,
    expiries: 1,
    faults: 2,
  },
  {
    name: 'two deliveries drawing the same ids, refusals without the refusing item, publishing off',
    publishing: false,
    deliveries: [2, 1],
    eventsPerBody: 1,
    sameIds: true,
    ...none,
    crashes: 1,
    expiries: 1,
    faults: 2,
    refusalsCarryItem: false,
  },
  {
    name: 'a two-event body sent twice, publishing on, with a redrive and a replay',
    publishing: true,
    deliveries: [2],
    eventsPerBody: 2,
    sameIds: false,
    ...none,
    crashes: 1,
    redrives: 1,
    replays: 1,
    deadlines: 1,
    faults: 2,
  },
];
