// The README is a map, and the pages under docs/ hold the reference: the map stays short, reaches every
// page, and no link between them (to a file or to a heading) leads nowhere.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const README = join(ROOT, 'README.md');
const PAGES = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => join(ROOT, 'docs', name));
const DOCUMENTS = [README, ...PAGES];

/** The lines of a Markdown file outside fenced code blocks, where headings and links are real. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped but '-' and '_', spaces to '-'. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a file's headings give, repeated headings numbered as GitHub numbers them. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return anchors;
}

interface Link {
  from: string;
  target: string;
}

/** Every link of a file that is not to another site: `[text](path#anchor)`, `[text](#anchor)`, images too. */
function localLinks(file: string): Link[] {
  const links: Link[] = [];
  for (const line of proseLines(readFileSync(file, 'utf8'))) {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? '';
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ from: relative(ROOT, file), target });
    }
  }
  return links;
}

describe('the documentation', () => {
  it('keeps the README under 300 lines', () => {
    const lines = readFileSync(README, 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThan(300);
  });

  it('shows the two commands in the README, the test command as `npm test` literally', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('has pages under docs/, each linked from the README', () => {
    expect(PAGES.length).toBeGreaterThan(0);
    const fromReadme = new Set(localLinks(README).map((link) => resolve(ROOT, link.target.split('#')[0] ?? '')));
    const unlinked = PAGES.filter((page) => !fromReadme.has(page)).map((page) => relative(ROOT, page));
    expect(unlinked).toEqual([]);
  });

  it('links every page back to the README map', () => {
    const withoutWayBack = PAGES.filter(
      (page) => !localLinks(page).some((link) => link.target === '../README.md#documentation'),
    ).map((page) => relative(ROOT, page));
    expect(anchorsOf(README)).toContain('documentation');
    expect(withoutWayBack).toEqual([]);
  });

  it('has no link to a file that does not exist or to a heading its target does not have', () => {
    const broken: string[] = [];
    for (const file of DOCUMENTS) {
      for (const link of localLinks(file)) {
        const [path = '', anchor] = link.target.split('#');
        const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        if (!existsSync(target)) {
          broken.push(`${link.from}: ${link.target} (no such file)`);
        } else if (anchor !== undefined) {
          if (statSync(target).isDirectory() || !target.endsWith('.md')) {
            broken.push(`${link.from}: ${link.target} (an anchor in a file that is not Markdown)`);
          } else if (!anchorsOf(target).has(anchor)) {
            broken.push(`${link.from}: ${link.target} (no such heading)`);
          }
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('makes anchors as GitHub does', () => {
    expect(slug('The contract: openapi.json')).toBe('the-contract-openapijson');
    expect(slug('See the topic: `npm run tail`')).toBe('see-the-topic-npm-run-tail');
    expect(slug('1. The secrets')).toBe('1-the-secrets');
    expect(slug('Scale: no hot partition')).toBe('scale-no-hot-partition');
  });
});
