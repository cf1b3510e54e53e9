// Fitting a sender's body into the metadata budget, in time linear in the body's size (plus a sort of
// its top-level keys). Each top-level value is serialized once; every decision is made on those byte
// counts, and the result is put together from the same texts. The reduction is deterministic: the
// same body and budget always give the same result, and the result says what was cut.
//
// When anything is cut, the result starts with the kind's `summary` (its essential scalars: ref,
// action, number, title, user, alert name, status …), which survives at any allowed budget.

import { isPlainObject } from '../json';
import { cutText } from '../text';

export interface FitOptions {
  /** Fields kept as long as at all possible (reduced to their scalar parts only as a last resort). */
  keep: readonly string[];
  /** An array field trimmed from the front (oldest first) before anything else is dropped. */
  trim?: string;
  /** The essential scalars of this kind of body: always kept when anything is cut. */
  summary?: Record<string, unknown>;
}

/**
 * A summary keeps strings up to 256 characters (every name a sender allows, whole), and maps up to
 * 16 entries; one over 2 KiB keeps 48 characters a string, so it fits the smallest budget (4 KiB).
 */
const SUMMARY_STRING_CHARS = 256;
const SUMMARY_SHORT_CHARS = 48;
const SUMMARY_MAX_BYTES = 2048;
const SUMMARY_MAP_ENTRIES = 16;
/** How many dropped or reduced field names `truncated` lists (the rest are counted). */
const LISTED_NAMES = 12;
const LISTED_NAME_CHARS = 64;

const bytes = (text: string) => Buffer.byteLength(text);

interface Entry {
  key: string;
  /** The value's JSON text. */
  text: string;
  /** Bytes of `"key":text` plus the comma that follows it. */
  size: number;
}

function entry(key: string, text: string): Entry {
  return { key, text, size: bytes(JSON.stringify(key)) + 1 + bytes(text) + 1 };
}

/** The body as JSON text within `budget` bytes, with a `truncated` field when anything was cut. */
export function fitMetadata(body: Record<string, unknown>, budget: number, options: FitOptions): string {
  const whole = JSON.stringify(body);
  const originalBytes = bytes(whole);
  if (originalBytes <= budget) return whole;

  const summaryText = options.summary === undefined ? undefined : JSON.stringify(boundSummary(options.summary));
  const head = summaryText === undefined ? [] : [entry('summary', summaryText)];
  const truncated: Record<string, unknown> = { original_bytes: originalBytes };
  const entries = new Map<string, Entry>();
  for (const [key, value] of Object.entries(body)) {
    if (key === 'summary' && summaryText !== undefined) continue;
    const text = JSON.stringify(value);
    if (text !== undefined) entries.set(key, entry(key, text));
  }
  let keptBytes = [...entries.values()].reduce((sum, e) => sum + e.size, 0);
  const fixedBytes = head.reduce((sum, e) => sum + e.size, 0);
  /** Bytes of the whole result: braces, entries with their commas, minus the last comma. */
  const total = () => 2 + fixedBytes + keptBytes + entry('truncated', JSON.stringify(truncated)).size - 1;
  const fits = () => total() <= budget;
  const replace = (key: string, text: string) => {
    const before = entries.get(key);
    const after = entry(key, text);
    keptBytes += after.size - (before?.size ?? 0);
    entries.set(key, after);
  };
  const result = () =>
    `{${[...head, ...entries.values(), entry('truncated', JSON.stringify(truncated))]
      .map((e) => `${JSON.stringify(e.key)}:${e.text}`)
      .join(',')}}`;

  const { trim } = options;
  const list = trim === undefined ? undefined : body[trim];
  if (trim !== undefined && Array.isArray(list) && entries.has(trim)) {
    // The newest entries (the end of the list) that fit beside everything else.
    const texts = list.map((item) => JSON.stringify(item) ?? 'null');
    // A placeholder at least as long as the final counts, so the room computed here stays enough.
    truncated[trim] = { kept: list.length, dropped: list.length };
    replace(trim, '[]');
    const count = newestThatFit(texts, budget - total());
    truncated[trim] = { kept: count, dropped: list.length - count };
    replace(trim, `[${texts.slice(texts.length - count).join(',')}]`);
    if (count === list.length) delete truncated[trim];
    if (fits()) return result();
  }

  const dropped: string[] = [];
  const bySizeDescending = (names: string[]) =>
    names.sort((a, b) => (entries.get(b)?.size ?? 0) - (entries.get(a)?.size ?? 0) || (a < b ? -1 : 1));
  const candidates = bySizeDescending([...entries.keys()].filter((key) => !options.keep.includes(key)));
  for (const name of candidates) {
    if (fits()) break;
    keptBytes -= entries.get(name)?.size ?? 0;
    entries.delete(name);
    dropped.push(name);
    truncated.dropped = listNames(dropped);
  }
  if (fits()) return result();

  const reduced: string[] = [];
  for (const name of bySizeDescending([...entries.keys()])) {
    if (fits()) break;
    replace(name, JSON.stringify(scalarsOf(body[name])));
    reduced.push(name);
    truncated.reduced = listNames(reduced);
  }
  if (fits()) return result();

  const last: Record<string, unknown> = {
    ...(options.summary === undefined ? {} : { summary: boundSummary(options.summary) }),
    truncated: { original_bytes: originalBytes, reason: 'essential fields exceed the budget' },
  };
  return JSON.stringify(last);
}

/** How many of the last `texts` fit in `room` bytes as a JSON list's items. */
function newestThatFit(texts: readonly string[], room: number): number {
  let used = 0;
  let count = 0;
  for (let index = texts.length - 1; index >= 0; index -= 1) {
    const size = bytes(texts[index] as string) + (count > 0 ? 1 : 0);
    if (used + size > room) break;
    used += size;
    count += 1;
  }
  return count;
}

/** Names for the `truncated` report: the first few, each cut short, and how many more. */
function listNames(names: readonly string[]): string[] {
  const listed = names.slice(0, LISTED_NAMES).map((name) => cutText(name, LISTED_NAME_CHARS));
  return names.length > LISTED_NAMES ? [...listed, `… ${names.length - LISTED_NAMES} more`] : listed;
}

/** The summary with strings cut and maps bounded, so it fits the smallest allowed budget. */
function boundSummary(summary: Record<string, unknown>): Record<string, unknown> {
  const bounded = boundStrings(summary, SUMMARY_STRING_CHARS);
  return bytes(JSON.stringify(bounded)) <= SUMMARY_MAX_BYTES ? bounded : boundStrings(summary, SUMMARY_SHORT_CHARS);
}

function boundStrings(summary: Record<string, unknown>, chars: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(summary)) {
    if (value === undefined) continue;
    if (isPlainObject(value)) {
      const map: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(value).slice(0, SUMMARY_MAP_ENTRIES)) {
        map[name.slice(0, chars)] = scalar(item, chars);
      }
      out[key] = map;
    } else {
      out[key] = scalar(value, chars);
    }
  }
  return out;
}

function scalar(value: unknown, chars: number): unknown {
  if (typeof value === 'string') return cutText(value, chars);
  return typeof value === 'number' || typeof value === 'boolean' || value === null ? value : null;
}

/** An object's string, number and boolean fields, strings cut to 256 characters; other values become null. */
function scalarsOf(value: unknown): unknown {
  if (typeof value === 'string') return cutText(value, 256);
  if (!isPlainObject(value)) return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'number' || typeof item === 'boolean') out[key] = item;
    else if (typeof item === 'string') out[key] = cutText(item, 256);
  }
  return out;
}
