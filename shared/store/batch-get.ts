// Reading items by key: one (GetItem, strongly consistent), or many (BatchGetItem in batches of 100
// side by side, unprocessed keys asked again).

import { BatchGetItemCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailableError } from '../errors';
import { allFromAttributes, fromAttributes, orUnavailable, toAttributes } from './client';
import { BATCH_GET_KEYS, batchGetInput, getItemInput } from './commands';
import { ATTR } from './schema';

const BATCH_GET_ATTEMPTS = 5;

/** The item of `table` at `key` (its `pk`, or its whole key), strongly consistent; undefined for none. */
export async function readItem(
  client: DynamoDBClient,
  table: string,
  key: string | Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const result = await orUnavailable(() => client.send(new GetItemCommand(getItemInput(table, key))));
  return fromAttributes(result.Item);
}

/** The items with keys `pks`, by key; a 503 when some are still unread after a few attempts. */
export async function readByKeys(
  { client, table }: { client: DynamoDBClient; table: string },
  pks: readonly string[],
  options: { consistent: boolean },
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const read = async (batch: readonly string[]) => {
    let keys = batch.map((pk) => toAttributes({ [ATTR.pk]: pk }));
    for (let attempt = 0; keys.length > 0 && attempt < BATCH_GET_ATTEMPTS; attempt += 1) {
      const result = await orUnavailable(() =>
        client.send(new BatchGetItemCommand(batchGetInput(table, keys, options.consistent))),
      );
      for (const item of allFromAttributes(result.Responses?.[table])) found.set(String(item[ATTR.pk]), item);
      keys = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
    if (keys.length > 0) throw new ServiceUnavailableError('the event store is busy; retry later');
  };
  const batches: string[][] = [];
  for (let i = 0; i < pks.length; i += BATCH_GET_KEYS) batches.push(pks.slice(i, i + BATCH_GET_KEYS));
  await Promise.all(batches.map(read));
  return found;
}
