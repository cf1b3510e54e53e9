// Structured JSON logs: one line per entry on standard output, where Lambda's log delivery hands it
// to CloudWatch Logs. The narrow Log type is what the rest of the code depends on.
//
// A line: {"level":"INFO","message":"…","timestamp":"<ISO 8601>","service":"junoevent", …attributes}.
// The level is JUNOEVENT_LOG_LEVEL, else Lambda's own log level setting (AWS_LAMBDA_LOG_LEVEL), else
// INFO; SILENT writes nothing.

export interface Log {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

const SERVICE = 'junoevent';
const LEVELS = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, CRITICAL: 4, SILENT: 5 } as const;
type Level = keyof typeof LEVELS;

function isLevel(value: string): value is Level {
  return Object.hasOwn(LEVELS, value);
}

/** The least level written, from the environment; INFO when unset or unknown. */
export function logLevel(env: NodeJS.ProcessEnv = process.env): Level {
  const wanted = (env.JUNOEVENT_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  return isLevel(wanted) ? wanted : 'INFO';
}

export interface LoggerOptions {
  env?: NodeJS.ProcessEnv;
  /** Where each line goes; standard output by default. */
  write?: (line: string) => void;
  now?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Log {
  const env = options.env ?? process.env;
  const least = LEVELS[logLevel(env)];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const entry =
    (level: Level) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      if (LEVELS[level] < least) return;
      const line = { level, message, timestamp: new Date(now()).toISOString(), service: SERVICE, ...attributes };
      write(JSON.stringify(line, errorsAsText));
    };
  return { info: entry('INFO'), warn: entry('WARN'), error: entry('ERROR') };
}

/** An Error attribute as its name, message and stack (JSON.stringify would write `{}`). */
function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
