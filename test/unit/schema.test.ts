// The table the code writes (shared/store/schema.ts) is the table serverless.yml defines.

import { describe, expect, it } from 'vitest';
import { tableDefinition } from '../../scripts/lib/table';
import { ATTR, LISTING_INDEXES, LISTING_PROJECTION, PENDING_INDEX } from '../../shared/store/schema';

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

  it('defines the pending index on pending and id, projecting retry_at', () => {
    expect(keys(PENDING_INDEX)).toEqual({ HASH: ATTR.pending, RANGE: ATTR.id });
    expect(index(PENDING_INDEX)?.Projection?.NonKeyAttributes).toEqual([ATTR.retryAt]);
  });
});
