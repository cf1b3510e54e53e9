// The recording protocol's invariants (docs/storage.md, Guarantees, words them), checked after every
// explored run against what happened: the answers, the table's final state, every claim the table
// granted, and every message the broker took.

import type { RunResult, Scenario } from './world';

export interface Violation {
  invariant: 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'no 500';
  detail: string;
}

export function checkInvariants(scenario: Scenario, run: RunResult): Violation[] {
  const found: Violation[] = run.errors.map((detail) => ({ invariant: 'no 500', detail }));
  const acked = run.copies.filter((copy) => copy.status !== undefined && copy.status < 300);
  const generationOf = (pk: string, id: number) => run.generations.find((g) => g.pk === pk && g.ids.has(id));

  // I1 and I2: every event a 2xx named is stored, exactly as it was first written.
  for (const copy of acked) {
    for (const id of copy.ids) {
      const stored = run.stored.get(id);
      if (stored === undefined) {
        found.push({
          invariant: 'I2',
          detail: `${copy.actor} was answered 2xx naming event ${id}, which is not stored`,
        });
      } else if (stored.json !== run.firstWritten.get(id)) {
        found.push({ invariant: 'I2', detail: `event ${id}, named by ${copy.actor}'s 2xx, was replaced` });
      }
    }
  }
  // I1: copies of one delivery answered within one window name the same events.
  for (const a of acked) {
    for (const b of acked) {
      if (a === b || a.delivery !== b.delivery) continue;
      const sameWindow =
        a.startEpisode === a.endEpisode && b.startEpisode === a.startEpisode && b.endEpisode === a.startEpisode;
      if (sameWindow && a.ids.join() !== b.ids.join()) {
        found.push({
          invariant: 'I1',
          detail: `${a.actor} named [${a.ids}] but ${b.actor} named [${b.ids}] within one window`,
        });
      }
    }
  }
  // I1 and I4: every stored event of a delivery was named by a claim of it; no claim has two.
  const perGeneration = new Map<object, number[]>();
  for (const [id, { delivery }] of run.stored) {
    if (delivery === undefined) continue;
    const generation = generationOf(delivery, id);
    if (generation === undefined) {
      found.push({
        invariant: 'I4',
        detail: `event ${id} is stored under a delivery key that never claimed it (a leftover)`,
      });
      continue;
    }
    perGeneration.set(generation, [...(perGeneration.get(generation) ?? []), id]);
  }
  for (const ids of perGeneration.values()) {
    if (ids.length > 1)
      found.push({ invariant: 'I1', detail: `one claim of a delivery has ${ids.length} stored events: ${ids}` });
  }
  // I5: a copy that arrived after the window expired is a new event, never one of an older window.
  for (const copy of acked) {
    if (copy.startEpisode === 0) continue;
    for (const [index, id] of copy.ids.entries()) {
      const key = run.deliveryKeys[copy.delivery * scenario.eventsPerBody + index];
      const generation = key === undefined ? undefined : generationOf(key, id);
      if (generation !== undefined && generation.episode < copy.startEpisode) {
        found.push({
          invariant: 'I5',
          detail: `${copy.actor} arrived after the window expired but was answered with the older event ${id}`,
        });
      }
    }
  }
  // I3: with publishing on, every stored event is published, and every message names a stored event.
  if (scenario.publishing) {
    for (const [id, { json }] of run.stored) {
      if (!run.messages.some((message) => message.id === id && message.json === json)) {
        found.push({ invariant: 'I3', detail: `stored event ${id} was never published` });
      }
    }
    for (const message of run.messages) {
      if (run.stored.get(message.id)?.json !== message.json) {
        const kind = message.replay ? 'a replayed message' : 'a message';
        found.push({ invariant: 'I3', detail: `${kind} names event ${message.id}, which is not stored as published` });
      }
    }
  }
  return found;
}
