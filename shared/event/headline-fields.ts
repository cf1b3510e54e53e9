// Reading a record's metadata for its headline: any JSON at all, so every reader answers undefined
// rather than throwing. When metadata was cut to its budget, the kind's `summary` holds the
// essential scalars, so a field not found in the body is looked up there by its last name.

import { isPlainObject } from '../json';

/** What the headline is made from: the record's fields (a stored record, or one the page received). */
export interface HeadlineInput {
  operation: string;
  operation_name: string;
  metadata: string;
  host_name: string;
  env: string;
}

export class Fields {
  readonly #body: Record<string, unknown>;

  private constructor(body: Record<string, unknown>) {
    this.#body = body;
  }

  /** The metadata's JSON text; anything that is not a JSON object reads as an empty one. */
  static parse(text: string): Fields {
    try {
      const value: unknown = JSON.parse(text);
      return new Fields(isPlainObject(value) ? value : {});
    } catch {
      return new Fields({});
    }
  }

  static of(value: unknown): Fields {
    return new Fields(isPlainObject(value) ? value : {});
  }

  /** The value at `path` in the body, or else the summary's field of the path's last name. */
  raw(...path: string[]): unknown {
    let value: unknown = this.#body;
    for (const key of path) value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    if (value !== undefined && value !== null) return value;
    const summary = this.#body.summary;
    const last = path[path.length - 1];
    return path.length === 1 && isPlainObject(summary) && last !== undefined ? summary[last] : undefined;
  }

  /** A non-empty string (numbers are written out), or undefined. */
  text(...path: string[]): string | undefined {
    const value = this.raw(...path);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  }

  integer(...path: string[]): number | undefined {
    const value = this.raw(...path);
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
  }

  boolean(...path: string[]): boolean | undefined {
    const value = this.raw(...path);
    return typeof value === 'boolean' ? value : undefined;
  }

  list(...path: string[]): unknown[] | undefined {
    const value = this.raw(...path);
    return Array.isArray(value) ? value : undefined;
  }

  child(...path: string[]): Fields {
    return Fields.of(this.raw(...path));
  }

  /** The summary a cut body starts with (empty when nothing was cut). */
  summary(): Fields {
    return Fields.of(this.#body.summary);
  }
}

/** The parts that are there, joined. */
export function join(separator: string, parts: readonly (string | undefined)[]): string {
  return parts.filter((part) => part !== undefined && part !== '').join(separator);
}

/** The first line of a text (a commit message's subject). */
export function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim();
  return line === '' ? undefined : line;
}
