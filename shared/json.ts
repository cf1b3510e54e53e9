// Reading untyped JSON or TOML data into typed values. Every reader names the field's full path and
// what was expected, so callers can turn a FieldError into a 422 (events) or a ConfigError (config).

import { FieldError } from './errors';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface StringRules {
  /** Longest accepted length in characters. */
  max?: number;
  /** Reject the empty string. */
  nonEmpty?: boolean;
}

interface IntegerRules {
  min?: number;
  max?: number;
}

export class ObjectReader {
  readonly path: string;
  readonly #value: Record<string, unknown>;

  private constructor(value: Record<string, unknown>, path: string) {
    this.#value = value;
    this.path = path;
  }

  static of(value: unknown, path: string): ObjectReader {
    if (!isPlainObject(value)) throw new FieldError(path || 'the body', 'an object', value);
    return new ObjectReader(value, path);
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /**
   * Whether an optional field is there. JSON null counts as absent: senders written in Go marshal
   * empty maps and slices as null, and many schemas mark optional fields nullable.
   */
  has(key: string): boolean {
    return Object.hasOwn(this.#value, key) && this.#value[key] !== undefined && this.#value[key] !== null;
  }

  keys(): string[] {
    return Object.keys(this.#value);
  }

  raw(key: string): unknown {
    return Object.hasOwn(this.#value, key) ? this.#value[key] : undefined;
  }

  /** Throws for the first key that is not in `allowed` (catches typos and unexpected fields). */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.#value)) {
      if (!allowed.includes(key)) {
        throw new FieldError(this.at(key), `absent: it is not a known field (known: ${allowed.join(', ')})`);
      }
    }
  }

  child(key: string): ObjectReader | undefined {
    return this.has(key) ? ObjectReader.of(this.raw(key), this.at(key)) : undefined;
  }

  optionalString(key: string, rules: StringRules = {}): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.raw(key);
    const { max, nonEmpty = false } = rules;
    const expected = `${nonEmpty ? 'a non-empty string' : 'a string'}${max === undefined ? '' : ` of at most ${max} characters`}`;
    if (typeof value !== 'string') throw new FieldError(this.at(key), expected, value);
    if ((nonEmpty && value.length === 0) || (max !== undefined && value.length > max)) {
      throw new FieldError(this.at(key), expected, value);
    }
    return value;
  }

  string(key: string, rules: StringRules = {}): string {
    const value = this.optionalString(key, rules);
    if (value === undefined) throw new FieldError(this.at(key), 'present');
    return value;
  }

  optionalInteger(key: string, rules: IntegerRules = {}): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.raw(key);
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = rules;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new FieldError(this.at(key), `a whole number from ${min} to ${max}`, value);
    }
    return value;
  }

  optionalBoolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const value = this.raw(key);
    if (typeof value !== 'boolean') throw new FieldError(this.at(key), 'true or false', value);
    return value;
  }

  optionalStringArray(key: string, rules: StringRules = {}): string[] | undefined {
    if (!this.has(key)) return undefined;
    const value = this.raw(key);
    if (!Array.isArray(value)) throw new FieldError(this.at(key), 'an array of strings', value);
    return value.map((item, index) => {
      const reader = new ObjectReader({ [index]: item }, this.at(key));
      return reader.string(String(index), rules);
    });
  }
}

/** Deeper JSON than this is refused: real webhook bodies stay far below it. */
const MAX_JSON_DEPTH = 64;

/**
 * Checks parsed JSON before anything reads it: no `__proto__` key anywhere, and no nesting deeper
 * than MAX_JSON_DEPTH. Walks without recursion, so no input can exhaust the stack.
 */
export function checkJsonShape(value: unknown, path = '', depth = 0): void {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path, depth }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { path, depth } = item;
    const entries = Array.isArray(item.value)
      ? item.value.map((child, index) => [String(index), child] as const)
      : isPlainObject(item.value)
        ? Object.entries(item.value)
        : [];
    if (entries.length === 0) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new FieldError(path || 'the body', `nested at most ${MAX_JSON_DEPTH} levels deep`);
    }
    for (const [key, child] of entries) {
      const at = path ? `${path}.${key}` : key;
      if (key === '__proto__' && !Array.isArray(item.value)) {
        throw new FieldError(at, 'absent: __proto__ is not accepted as a key');
      }
      pending.push({ value: child, path: at, depth: depth + 1 });
    }
  }
}

/** A map of string values (alert labels, annotations, tags); empty when absent, null entries left out. */
export function readStringMap(reader: ObjectReader, key: string, maxValue = 64 * 1024): Record<string, string> {
  const map = reader.child(key);
  const out: Record<string, string> = {};
  for (const name of map?.keys() ?? []) {
    const value = map?.optionalString(name, { max: maxValue });
    if (value !== undefined) out[name] = value;
  }
  return out;
}
