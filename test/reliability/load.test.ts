// Load over HTTP: 2,000 signed webhooks at concurrency 50 through `npm start` (serverless-offline
// and the embedded DynamoDB). No errors, exactly 2,000 events stored, ids unique and increasing
// with time.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { signStandard } from '../support/http';
import { killLocal, startLocal } from '../support/local-start';
import { storedEvents } from '../support/pipeline';
import { LONG, summary } from './support';

const REQUESTS = LONG ? 10_000 : 2_000;
const CONCURRENCY = 50;

afterAll(() => {
  killLocal();
});

interface Sent {
  n: number;
  startedAt: number;
  endedAt: number;
  status: number;
  id: number | undefined;
}

describe('load over HTTP', () => {
  it(`${REQUESTS} signed webhooks at concurrency ${CONCURRENCY}: 0 errors, every event stored once, ids increasing with time`, async () => {
    const service = await startLocal({
      port: await freePort(),
      dataDir: mkdtempSync(join(tmpdir(), 'junoevent-load-')),
    });
    const sent: Sent[] = [];
    let resent = 0;
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const n = next;
        next += 1;
        const body = JSON.stringify({ app_name: `load-${n % 20}`, operation: 'confgo_file_update', metadata: { n } });
        const startedAt = Date.now();
        // A sender resends a delivery whose connection broke (same webhook-id): it must still be
        // stored exactly once. The connection resets the loaded local server sometimes gives are counted.
        const headers = signStandard(service.secrets.secrets.confgo, body, { id: `load-${n}` });
        let response: Response | undefined;
        for (let attempt = 1; response === undefined; attempt += 1) {
          try {
            response = await fetch(`${service.base}/webhooks/confgo`, { method: 'POST', headers, body });
          } catch (error) {
            if (attempt >= 3) throw error;
            resent += 1;
          }
        }
        const answer = (await response.json()) as { events?: { id: number }[] };
        sent.push({ n, startedAt, endedAt: Date.now(), status: response.status, id: answer.events?.[0]?.id });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const events = await storedEvents(service.dynamoEndpoint);
    expect(await service.stop()).toBe(0);
    const stored = events.map((item) => Number(item.id));

    const accepted = sent.filter((s) => s.status === 202);
    const ids = accepted.map((s) => s.id);
    // Each delivery carries its number n in metadata: count the events stored for each.
    const eventsPerDelivery = new Map<number, number>();
    for (const item of events) {
      const n = Number(JSON.parse(String(item.metadata)).n);
      eventsPerDelivery.set(n, (eventsPerDelivery.get(n) ?? 0) + 1);
    }
    const lost = accepted.filter((s) => !eventsPerDelivery.has(s.n)).length;
    const duplicated = [...eventsPerDelivery.values()].filter((count) => count > 1).length;
    summary('load', {
      sent: sent.length,
      accepted: accepted.length,
      rejected: sent.length - accepted.length,
      stored: stored.length,
      published: 'n/a',
      lost,
      duplicated,
    });
    console.log(`reliability load: ${resent} deliveries resent after a broken connection`);
    expect(duplicated).toBe(0);
    expect(sent.filter((s) => s.status !== 202)).toEqual([]);
    expect(stored).toHaveLength(REQUESTS);
    expect(new Set(ids).size).toBe(REQUESTS);
    expect(lost).toBe(0);
    // Increasing with time: a request answered before another one started has the smaller id.
    const byStart = [...accepted].sort((a, b) => a.startedAt - b.startedAt);
    const byEnd = [...accepted].sort((a, b) => a.endedAt - b.endedAt);
    let maxIdEndedBefore = 0;
    let cursor = 0;
    for (const request of byStart) {
      while (cursor < byEnd.length && (byEnd[cursor]?.endedAt ?? 0) < request.startedAt) {
        maxIdEndedBefore = Math.max(maxIdEndedBefore, byEnd[cursor]?.id ?? 0);
        cursor += 1;
      }
      expect(request.id ?? 0).toBeGreaterThan(maxIdEndedBefore);
    }
  });
});
