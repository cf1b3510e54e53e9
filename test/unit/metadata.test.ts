import { describe, expect, it } from 'vitest';
import { fitMetadata } from '../../shared/event/metadata';

const commits = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, message: 'm'.repeat(1000) }));

describe('metadata budget', () => {
  it('keeps a body under the budget exactly as it was', () => {
    const body = { ref: 'refs/heads/main', commits: commits.slice(0, 1) };
    expect(fitMetadata(body, 64 * 1024, { keep: ['ref'], trim: 'commits' })).toBe(JSON.stringify(body));
  });

  it('keeps the newest commits that fit, says how many were dropped, and is deterministic', () => {
    const body = { ref: 'refs/heads/main', commits, total_commits_count: 10 };
    const fitted = fitMetadata(body, 4096, { keep: ['ref', 'commits'], trim: 'commits' });
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(fitted);
    expect(parsed.commits.map((c: { id: string }) => c.id)).toEqual(['c7', 'c8', 'c9']);
    expect(parsed.truncated).toEqual({
      original_bytes: Buffer.byteLength(JSON.stringify(body)),
      commits: { kept: 3, dropped: 7 },
    });
    expect(fitMetadata(body, 4096, { keep: ['ref', 'commits'], trim: 'commits' })).toBe(fitted);
  });

  it('drops the largest fields that are not kept, and names them', () => {
    const body = { ref: 'r', big: 'x'.repeat(5000), small: 'y'.repeat(10) };
    const parsed = JSON.parse(fitMetadata(body, 4096, { keep: ['ref'] }));
    expect(parsed).toEqual({
      ref: 'r',
      small: 'yyyyyyyyyy',
      truncated: { original_bytes: expect.any(Number), dropped: ['big'] },
    });
  });

  it('reduces kept objects to their scalar fields as a last resort', () => {
    const body = { project: { id: 1, name: 'p', description: 'd'.repeat(6000), nested: { a: 1 } } };
    const parsed = JSON.parse(fitMetadata(body, 4096, { keep: ['project'] }));
    expect(parsed.project).toEqual({ id: 1, name: 'p', description: `${'d'.repeat(255)}…` });
    expect(parsed.truncated.reduced).toEqual(['project']);
  });
});

describe('metadata fitting at scale and at the smallest budget', () => {
  it('fits a body of 20,000 top-level keys in linear time, dropping the largest first', () => {
    const body: Record<string, unknown> = { ref: 'refs/heads/main' };
    for (let i = 0; i < 20_000; i += 1) body[`key_${i}`] = 'v'.repeat(i % 50);
    const started = performance.now();
    const fitted = fitMetadata(body, 64 * 1024, { keep: ['ref'], summary: { ref: 'refs/heads/main' } });
    const ms = performance.now() - started;
    console.log(
      `metadata: 20,000 keys (${Buffer.byteLength(JSON.stringify(body))} bytes) fitted in ${ms.toFixed(1)} ms`,
    );
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(64 * 1024);
    const parsed = JSON.parse(fitted);
    expect(parsed.summary).toEqual({ ref: 'refs/heads/main' });
    expect(parsed.ref).toBe('refs/heads/main');
    // What is kept is the smallest values: every kept key is no larger than every dropped one.
    const keptSizes = Object.keys(parsed)
      .filter((key) => key.startsWith('key_'))
      .map((key) => Number(key.slice(4)) % 50);
    expect(Math.max(...keptSizes)).toBeLessThan(49);
    expect(parsed.truncated.dropped).toHaveLength(13);
    expect(parsed.truncated.dropped.at(-1)).toMatch(/^… \d+ more$/);
  });

  it('keeps the summary and says what was cut when even the kept fields exceed the budget', () => {
    const body = { ref: 'r'.repeat(10_000), after: 'a'.repeat(10_000), repository: { name: 'n'.repeat(10_000) } };
    const fitted = fitMetadata(body, 4096, {
      keep: ['ref', 'after', 'repository'],
      summary: {
        kind: 'push',
        ref: 'refs/heads/main',
        deleted: false,
        commit_count: 3,
        labels: { a: 'x'.repeat(999) },
      },
    });
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(fitted);
    expect(parsed.summary).toMatchObject({ kind: 'push', ref: 'refs/heads/main', deleted: false, commit_count: 3 });
    expect(parsed.summary.labels.a).toHaveLength(256);
    expect(parsed.truncated.original_bytes).toBe(Buffer.byteLength(JSON.stringify(body)));
  });
});
