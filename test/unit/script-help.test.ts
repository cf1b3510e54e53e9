// Each local script explains itself: --help prints its usage and exits 0 without touching anything;
// an option it does not know is named, with the usage, and exits 2 before anything runs.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/local-start';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

/** The script as npm runs it, in a shell with a data folder of its own and no instance. */
function run(command: string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, JUNOEVENT_DATA_DIR: dataDir };
  for (const name of ['PORT', 'DYNAMODB_PORT', 'LAMBDA_PORT', 'JUNOEVENT_CONFIG', 'INIT_CWD']) delete env[name];
  return spawnSync(command[0] ?? '', command.slice(1), { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

const SCRIPTS = {
  send: 'usage: npm run send -- <sender> <file.json>',
  tail: 'usage: npm run tail [-- --group <name>]',
  replay: 'usage: npm run replay -- --since <time>',
  redrive: 'usage: npm run redrive [-- --grace <seconds>]',
  remark: 'usage: npm run remark [-- --table <name>]',
  secrets: 'usage: npm run secrets -- [--stage <name>]',
};

describe('--help and unknown options', () => {
  for (const [name, usage] of Object.entries(SCRIPTS)) {
    it(`npm run ${name}: --help prints the usage and exits 0; --bogus is named and exits 2`, () => {
      const dataDir = mkdtempSync(join(tmpdir(), `junoevent-help-${name}-`));
      const script = [process.execPath, TSX, `scripts/${name}.ts`];
      const help = run([...script, '--help'], dataDir);
      expect(help.stderr).toBe('');
      expect(help.status).toBe(0);
      expect(help.stdout.startsWith(usage)).toBe(true);
      const bogus = run([...script, '--bogus'], dataDir);
      expect(bogus.status).toBe(2);
      expect(bogus.stdout).toBe('');
      const [reason, blank, first] = bogus.stderr.split('\n');
      expect(reason).toMatch(new RegExp(`^${name}: Unknown option '--bogus'`));
      expect(blank).toBe('');
      expect(first?.startsWith(usage)).toBe(true);
      // Neither run wrote anything: no local secrets, no instance record.
      expect(readdirSync(dataDir)).toEqual([]);
    }, 30_000);
  }

  it('scripts/broker/broker.sh: --help prints its commands; an unknown command is named and exits 2', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-help-broker-'));
    const help = run(['bash', 'scripts/broker/broker.sh', '--help'], dataDir);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('scripts/broker/broker.sh start');
    const bogus = run(['bash', 'scripts/broker/broker.sh', '--bogus'], dataDir);
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toMatch(/^broker\.sh: unknown command --bogus\n\n.*scripts\/broker\/broker\.sh start/s);
  });
});
