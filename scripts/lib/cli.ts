// The command line of the local scripts: --help prints the usage and exits 0; an option the script
// does not know, or a value missing, is named with the usage and exits 2, before anything runs.

import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command line the script cannot run: printed with its usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type CommandLine<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * parseArgs with --help (-h) added: the parsed line, or the exit status once the usage is printed
 * (0 for --help on stdout, 2 for a line it refuses, on stderr with the reason first).
 */
export function commandLine<T extends ParseArgsConfig>(
  script: string,
  usage: string,
  config: T,
  args: string[] = process.argv.slice(2),
): CommandLine<T> | number {
  const withHelp = { ...config, args, options: { ...config.options, help: { type: 'boolean', short: 'h' } } } as const;
  let parsed: CommandLine<T>;
  try {
    parsed = parseArgs(withHelp) as CommandLine<T>;
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    console.error(`${script}: ${error.message}\n\n${usage}`);
    return 2;
  }
  if ((parsed.values as Record<string, unknown>).help === true) {
    console.log(usage);
    return 0;
  }
  return parsed;
}

/** Prints a UsageError the way commandLine prints a refused line; the exit status. */
export function usageFailure(script: string, usage: string, error: UsageError): number {
  console.error(`${script}: ${error.message}\n\n${usage}`);
  return 2;
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_');
}

/** Runs a command's main: exits with its code, or prints its error's message and exits 1. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
