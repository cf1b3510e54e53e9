// The house's size rules, measured from the code: no file in shared/ over 300 lines, and no function
// over 80 lines outside the tests (shared/, functions/, scripts/, bench/).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;

/** Every function, method and arrow function in `file` longer than `max` lines, as "path:line (n lines)". */
function longFunctions(file: string, max: number): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > max) found.push(`${relative(ROOT, file)}:${start + 1} (${end - start + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the house', () => {
  it('has no file in shared/ over 300 lines', () => {
    const large = sources(join(ROOT, 'shared'))
      .filter((file) => lineCount(file) > 300)
      .map((file) => `${relative(ROOT, file)} (${lineCount(file)} lines)`);
    expect(large).toEqual([]);
  });

  it('has no function over 80 lines outside the tests', () => {
    const files = ['shared', 'functions', 'scripts', 'bench'].flatMap((dir) => sources(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => longFunctions(file, 80))).toEqual([]);
  });
});
