import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../scripts/lib/dynalite';
import { ensureTable } from '../../scripts/lib/table';
import { decodeMetadata } from '../../shared/store/compact';
import { pendingTableName } from '../../shared/store/schema';

export const TABLE = 'appevent';
export const PENDING_TABLE = pendingTableName(TABLE);

export interface TestTable extends LocalDynamo {
  doc: DynamoDBDocumentClient;
  /** Every item in the table, events and claims alike. */
  items(): Promise<Record<string, unknown>[]>;
  /** Event items only (pk E#…, not a closed id), their metadata as text (a compressed one decoded). */
  events(): Promise<Record<string, unknown>[]>;
  /** The pending table's marks. */
  marks(): Promise<Record<string, unknown>[]>;
  clear(): Promise<void>;
}

/** An in-memory dynalite on loopback with the appevent table created from serverless.yml. */
export async function startTestTable(): Promise<TestTable> {
  const local = await startDynalite();
  await ensureTable(local.client, TABLE);
  const doc = DynamoDBDocumentClient.from(local.client);
  const scan = async (table: string) => {
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };
  const items = () => scan(TABLE);
  const marks = () => scan(PENDING_TABLE);
  return {
    ...local,
    doc,
    items,
    marks,
    events: async () =>
      (await items())
        .filter((item) => String(item.pk).startsWith('E#') && item.closed === undefined)
        .map(withTextMetadata),
    clear: async () => {
      for (const item of await items()) await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: item.pk } }));
      for (const mark of await marks()) {
        await doc.send(new DeleteCommand({ TableName: PENDING_TABLE, Key: { pk: mark.pk, id: mark.id } }));
      }
    },
  };
}

/**
 * A test table for the file that calls this: started before its tests, stopped after them, and
 * emptied before each test. The object stands for the started table (it reads through to it).
 */
export function useTestTable(): TestTable {
  let current: TestTable | undefined;
  const started = () => {
    if (current === undefined) throw new Error('the test table is not started yet');
    return current;
  };
  beforeAll(async () => {
    current = await startTestTable();
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(async () => {
    await started().clear();
  });
  return new Proxy({} as TestTable, { get: (_, key) => Reflect.get(started(), key) });
}

/** An event item with its metadata as text, whether it is stored as text or compressed. */
export function withTextMetadata(item: Record<string, unknown>): Record<string, unknown> {
  return { ...item, metadata: decodeMetadata(item.metadata) ?? item.metadata };
}
