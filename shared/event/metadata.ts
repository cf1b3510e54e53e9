// Fitting a sender's body into the metadata budget. The reduction is deterministic: the same body
// and budget always give the same result, and the result says what was cut.

import { isPlainObject } from './fields';

export interface FitOptions {
  /** Fields kept as long as at all possible (reduced to their scalar parts only as a last resort). */
  keep: readonly string[];
  /** An array field trimmed from the front (oldest first) before anything else is dropped. */
  trim?: string;
}

function size(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The body as JSON text within `budget` bytes, with a `truncated` field when anything was cut. */
export function fitMetadata(body: Record<string, unknown>, budget: number, options: FitOptions): string {
  const whole = JSON.stringify(body);
  if (Buffer.byteLength(whole) <= budget) return whole;

  const truncated: Record<string, unknown> = { original_bytes: Buffer.byteLength(whole) };
  const out: Record<string, unknown> = { ...body };
  const fits = () => size({ ...out, truncated }) <= budget;

  const { trim } = options;
  const list = trim === undefined ? undefined : out[trim];
  if (trim !== undefined && Array.isArray(list)) {
    // The most entries (the newest: the end of the list) that fit, by binary search.
    let low = 0;
    let high = list.length;
    const keepLast = (count: number) => {
      out[trim] = count === 0 ? [] : list.slice(-count);
      truncated[trim] = { kept: count, dropped: list.length - count };
    };
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      keepLast(middle);
      if (fits()) low = middle;
      else high = middle - 1;
    }
    keepLast(low);
    if (low === list.length) delete truncated[trim];
    if (fits()) return JSON.stringify({ ...out, truncated });
  }

  const dropped: string[] = [];
  truncated.dropped = dropped;
  const bySizeDescending = (names: string[]) => names.sort((a, b) => size(out[b]) - size(out[a]) || (a < b ? -1 : 1));
  for (const name of bySizeDescending(Object.keys(out).filter((key) => !options.keep.includes(key)))) {
    if (fits()) break;
    delete out[name];
    dropped.push(name);
  }
  if (fits()) return JSON.stringify({ ...out, truncated });

  const reduced: string[] = [];
  truncated.reduced = reduced;
  for (const name of bySizeDescending(Object.keys(out))) {
    if (fits()) break;
    out[name] = scalarsOf(out[name]);
    reduced.push(name);
  }
  if (fits()) return JSON.stringify({ ...out, truncated });
  return JSON.stringify({
    truncated: { original_bytes: truncated.original_bytes, reason: 'essential fields exceed the budget' },
  });
}

/** An object's string, number and boolean fields, strings cut to 256 characters; other values become null. */
function scalarsOf(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 256 ? `${value.slice(0, 256)}…` : value;
  if (!isPlainObject(value)) return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'number' || typeof item === 'boolean') out[key] = item;
    else if (typeof item === 'string') out[key] = item.length > 256 ? `${item.slice(0, 256)}…` : item;
  }
  return out;
}
