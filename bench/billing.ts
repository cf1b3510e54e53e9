// DynamoDB's write billing, computed from the items the store really writes and the table and index
// definitions in serverless.yml, since the emulator counts only the table's own units and has no
// partitions. Item size follows DynamoDB's rules for the types the store writes (strings, numbers
// and binaries): attribute name bytes plus value bytes. A write unit is 1 KB, rounded up per item; an
// index is written when an item enters, leaves or changes a projected attribute of it.

import type { AttributeValue, CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export interface IndexDefinition {
  name: string;
  keys: string[];
  /** The attributes an index entry holds: its keys, the table's key and the projected ones. */
  attributes: string[] | 'ALL';
}

/** The table's key and index definitions, as serverless.yml declares them (via CreateTable input). */
export function indexesOf(table: CreateTableCommandInput): { tableKeys: string[]; indexes: IndexDefinition[] } {
  const tableKeys = (table.KeySchema ?? []).map((key) => key.AttributeName ?? '');
  const indexes = (table.GlobalSecondaryIndexes ?? []).map((index) => {
    const keys = (index.KeySchema ?? []).map((key) => key.AttributeName ?? '');
    const projection = index.Projection;
    const attributes: string[] | 'ALL' =
      projection?.ProjectionType === 'ALL'
        ? 'ALL'
        : [...new Set([...tableKeys, ...keys, ...(projection?.NonKeyAttributes ?? [])])];
    return { name: index.IndexName ?? '', keys, attributes };
  });
  return { tableKeys, indexes };
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  // Binary: its length in bytes (compressed metadata).
  if (value.B !== undefined) return value.B.length;
  if (value.N !== undefined) {
    // Up to 38 significant digits, two to a byte, plus one byte.
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) return 3 + itemSize(value.M);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, item) => sum + 1 + valueSize(item), 0);
  throw new Error(`the billing model does not size ${Object.keys(value).join(',')}`);
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

export const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** The entry `item` has in `index`, or undefined when it is not in it (a key attribute is missing). */
export function indexEntry(item: Item | undefined, index: IndexDefinition): Item | undefined {
  if (item === undefined || index.keys.some((key) => item[key] === undefined)) return undefined;
  if (index.attributes === 'ALL') return item;
  const entry: Item = {};
  for (const name of index.attributes) {
    const value = item[name];
    if (value !== undefined) entry[name] = value;
  }
  return entry;
}

const same = (a: Item | undefined, b: Item | undefined) => JSON.stringify(a) === JSON.stringify(b);

export interface WriteBill {
  table: number;
  /** Write units per index. */
  indexes: Record<string, number>;
}

/** The write units of one write that turned `before` into `after` (undefined: absent). */
export function billWrite(before: Item | undefined, after: Item | undefined, indexes: IndexDefinition[]): WriteBill {
  const table = units(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
  const bill: WriteBill = { table, indexes: {} };
  for (const index of indexes) {
    const old = indexEntry(before, index);
    const next = indexEntry(after, index);
    let cost = 0;
    if (old === undefined && next !== undefined) cost = units(itemSize(next));
    else if (old !== undefined && next === undefined) cost = units(itemSize(old));
    else if (old !== undefined && next !== undefined && !same(old, next)) {
      const keysChanged = index.keys.some(
        (key) => !same({ k: old[key] as AttributeValue }, { k: next[key] as AttributeValue }),
      );
      cost = keysChanged
        ? units(itemSize(old)) + units(itemSize(next))
        : units(Math.max(itemSize(old), itemSize(next)));
    }
    bill.indexes[index.name] = cost;
  }
  return bill;
}

export function totalUnits(bill: WriteBill): number {
  return bill.table + Object.values(bill.indexes).reduce((sum, value) => sum + value, 0);
}
