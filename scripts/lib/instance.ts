// The running instance: `npm start` records itself in <data folder>/instance.json, so the other
// local scripts (send, redrive) find it on whatever port it runs, and a second `npm start` on the
// same data folder can say that one is already running instead of starting over it.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, dataDirFrom, portFrom, ROOT } from './local';

export interface InstanceState {
  pid: number;
  /** "starting" until the routes answer, then "running"; "stopped" once it stopped cleanly. */
  status: 'starting' | 'running' | 'stopped';
  url: string;
  port: number;
  lambda_port: number;
  dynamodb_endpoint: string;
  data_dir: string;
  /** The config file as given (JUNOEVENT_CONFIG or junoevent.toml). */
  config: string;
  /** The copy of it the functions read: the last valid version of `config`. */
  config_loaded: string;
  secrets_file: string;
  /** The read API's token in the loaded config, when it sets one. */
  api_token: string | null;
  publishing: boolean;
  started_at: string;
  stopped_at?: string;
}

export function stateFile(dataDir: string): string {
  return resolve(dataDir, 'instance.json');
}

/** The recorded state, or undefined when there is none or it is unreadable. */
export function readState(dataDir: string): InstanceState | undefined {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const state: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof state !== 'object' || state === null) return undefined;
    const { pid, url } = state as Partial<InstanceState>;
    return Number.isInteger(pid) && typeof url === 'string' ? (state as InstanceState) : undefined;
  } catch {
    return undefined;
  }
}

/** True while a process with this pid exists (ours or another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the recorded instance runs (it did not stop, and its process exists). */
export function isRunning(state: InstanceState): boolean {
  return state.status !== 'stopped' && isAlive(state.pid);
}

/** The instance recorded for this data folder if it still runs. */
export function runningInstance(dataDir: string): InstanceState | undefined {
  const state = readState(dataDir);
  return state !== undefined && state.pid !== process.pid && isRunning(state) ? state : undefined;
}

/**
 * Records `state` unless a live instance already has this data folder (then returns that one). A
 * state file left by an instance that no longer runs is replaced. Exclusive creation makes two
 * starts racing for the same folder end with one of them running.
 */
export function claimState(state: InstanceState): InstanceState | undefined {
  const file = stateFile(state.data_dir);
  mkdirSync(state.data_dir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const running = runningInstance(state.data_dir);
    if (running !== undefined) return running;
    rmSync(file, { force: true });
  }
  throw new Error(`${file} keeps reappearing: is another npm start starting on ${state.data_dir}?`);
}

/** Rewrites our own state (atomically); leaves the file alone if another process owns it now. */
export function updateState(state: InstanceState): void {
  if (readState(state.data_dir)?.pid !== state.pid) return;
  const file = stateFile(state.data_dir);
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * Marks our state as stopped (if the file is still ours): the scripts can then say where the
 * instance ran, and the next npm start replaces it.
 */
export function releaseState(dataDir: string, pid: number): void {
  const state = readState(dataDir);
  if (state?.pid !== pid || state.status === 'stopped') return;
  updateState({ ...state, status: 'stopped', stopped_at: new Date().toISOString() });
}

/** Where the local scripts send their requests, and why there. */
export interface Located {
  /** Base URL of the routes, without a trailing slash. */
  url: string;
  dynamoEndpoint: string;
  /** The config the instance serves, when a running instance was found. */
  configLoaded: string | undefined;
  state: InstanceState | undefined;
  /** How the URL was chosen and what to do when nothing answers there. */
  hint: string;
}

/**
 * Finds the instance of this checkout: PORT (and DYNAMODB_PORT) when set, else the state file of
 * the data folder ($JUNOEVENT_DATA_DIR or .data/), else the default port.
 */
export function locateInstance(env: NodeJS.ProcessEnv = process.env): Located {
  const dataDir = dataDirFrom(env);
  const file = displayPath(stateFile(dataDir));
  const state = readState(dataDir);
  const alive = state !== undefined && isRunning(state);
  const envDynamo = env.DYNAMODB_PORT
    ? `http://127.0.0.1:${portFrom(env.DYNAMODB_PORT, 0, 'DYNAMODB_PORT')}`
    : undefined;
  if (env.PORT) {
    const port = portFrom(env.PORT, DEFAULT_PORT, 'PORT');
    const same = alive && state.port === port;
    return {
      url: `http://127.0.0.1:${port}`,
      dynamoEndpoint: envDynamo ?? (same ? state.dynamodb_endpoint : `http://127.0.0.1:${port + 1000}`),
      configLoaded: same ? state.config_loaded : undefined,
      state: same ? state : undefined,
      hint: `PORT=${port} is set: is npm start running with that PORT?${alive && !same ? ` (${file} names ${state.url}, pid ${state.pid})` : ''}`,
    };
  }
  if (state !== undefined && alive) {
    return {
      url: state.url,
      dynamoEndpoint: envDynamo ?? state.dynamodb_endpoint,
      configLoaded: state.config_loaded,
      state,
      hint:
        state.status === 'starting'
          ? `found in ${file}: pid ${state.pid} is still starting, try again in a moment`
          : `found in ${file}: pid ${state.pid} runs but does not answer there`,
    };
  }
  const dataHint = dataDir === DEFAULT_DATA_DIR ? '' : `JUNOEVENT_DATA_DIR=${env.JUNOEVENT_DATA_DIR} `;
  if (state !== undefined) {
    const ended =
      state.status === 'stopped'
        ? `stopped at ${state.stopped_at ?? 'an unknown time'}`
        : `is no longer running (pid ${state.pid} has exited)`;
    return {
      url: state.url,
      dynamoEndpoint: envDynamo ?? state.dynamodb_endpoint,
      configLoaded: undefined,
      state: undefined,
      hint: `the instance recorded in ${file} ${ended}: start it with ${dataHint}npm start`,
    };
  }
  return {
    url: `http://127.0.0.1:${DEFAULT_PORT}`,
    dynamoEndpoint: envDynamo ?? `http://127.0.0.1:${DEFAULT_PORT + 1000}`,
    configLoaded: undefined,
    state: undefined,
    hint: `no instance is recorded in ${file}: start one with ${dataHint}npm start (or set PORT, or JUNOEVENT_DATA_DIR to its data folder)`,
  };
}

/** "connection refused" and the like, from a failed fetch or SDK call (the innermost system error). */
export function networkReason(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    const { code } = current as NodeJS.ErrnoException;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ECONNRESET') return 'connection reset';
    if (code === 'ETIMEDOUT' || current.name === 'TimeoutError') return 'timed out';
    if (code !== undefined && /^E[A-Z]+$/.test(code)) return code;
    message = current.message;
    current = current.cause;
  }
  return message;
}

/** A path relative to the repository root when it is inside it, for shorter messages. */
export function displayPath(path: string): string {
  const inside = relative(ROOT, path);
  return inside.startsWith('..') || inside === '' ? path : inside;
}
