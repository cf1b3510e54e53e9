// The table the code writes (shared/store/schema.ts) is the table serverless.yml defines.

import { describe, expect, it } from 'vitest';
import { pendingTableDefinition, tableDefinition } from '../../scripts/lib/table';
import { pendingMarkKey } from '../../shared/store/items';
import { ATTR, LISTING_INDEXES, LISTING_PROJECTION } from '../../shared/store/schema';

describe('table schema', () => {
  const table = tableDefinition('appevent');
  const index = (name: string) => table.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === name);
  const keys = (name: string) =>
    Object.fromEntries((index(name)?.KeySchema ?? []).map((k) => [k.KeyType, k.AttributeName]));

  it('keys the table on pk', () => {
    expect(table.KeySchema).toEqual([{ AttributeName: ATTR.pk, KeyType: 'HASH' }]);
  });

  it('defines each listing index on the partition attribute the code writes, sorted by ts', () => {
    for (const [name, { partition }] of Object.entries(LISTING_INDEXES)) {
      expect(keys(name)).toEqual({ HASH: partition, RANGE: ATTR.ts });
      // Only what listing filters on: the rest is read from the table by key.
      expect(index(name)?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...LISTING_PROJECTION] });
    }
  });

  it('has no index beyond the listing ones: a pending mark is an item of its own', () => {
    expect(table.GlobalSecondaryIndexes?.map((gsi) => gsi.IndexName)).toEqual(Object.keys(LISTING_INDEXES));
  });

  it('keys the pending table beside it on the shard and the id, as a mark is written', () => {
    const pending = pendingTableDefinition('appevent');
    expect(pending.TableName).toBe('appevent-pending');
    expect(pending.KeySchema).toEqual([
      { AttributeName: ATTR.pk, KeyType: 'HASH' },
      { AttributeName: ATTR.id, KeyType: 'RANGE' },
    ]);
    expect(pending.AttributeDefinitions).toEqual([
      { AttributeName: ATTR.pk, AttributeType: 'S' },
      { AttributeName: ATTR.id, AttributeType: 'N' },
    ]);
    expect(pending.GlobalSecondaryIndexes).toBeUndefined();
    expect(Object.keys(pendingMarkKey(4097))).toEqual([ATTR.pk, ATTR.id]);
  });
});
