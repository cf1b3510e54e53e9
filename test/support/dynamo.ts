import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalDynamo, startDynalite } from '../../scripts/lib/dynalite';
import { ensureTable } from '../../scripts/lib/table';
import { decodeMetadata } from '../../shared/store/compact';

export const TABLE = 'appevent';

export interface TestTable extends LocalDynamo {
  doc: DynamoDBDocumentClient;
  /** Every item in the table, events and claims alike. */
  items(): Promise<Record<string, unknown>[]>;
  /** Event items only (pk E#…), their metadata as text (a compressed one decoded). */
  events(): Promise<Record<string, unknown>[]>;
  clear(): Promise<void>;
}

/** An in-memory dynalite on loopback with the appevent table created from serverless.yml. */
export async function startTestTable(): Promise<TestTable> {
  const local = await startDynalite();
  await ensureTable(local.client, TABLE);
  const doc = DynamoDBDocumentClient.from(local.client);
  const items = async () => {
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };
  return {
    ...local,
    doc,
    items,
    events: async () => (await items()).filter((item) => String(item.pk).startsWith('E#')).map(withTextMetadata),
    clear: async () => {
      for (const item of await items()) await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: item.pk } }));
    },
  };
}

/** An event item with its metadata as text, whether it is stored as text or compressed. */
export function withTextMetadata(item: Record<string, unknown>): Record<string, unknown> {
  return { ...item, metadata: decodeMetadata(item.metadata) ?? item.metadata };
}
