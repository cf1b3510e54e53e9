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
    expect(parsed.project).toEqual({ id: 1, name: 'p', description: `${'d'.repeat(256)}…` });
    expect(parsed.truncated.reduced).toEqual(['project']);
  });
});
