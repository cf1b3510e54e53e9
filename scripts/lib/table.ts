// Creates the appevent table and its pending table in a local emulator from the one definition in
// serverless.yml (resources → Resources.AppEventTable, PendingTable), so local and deployed keys and
// indexes cannot drift.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { isPlainObject } from '../../shared/json';
import { pendingTableName } from '../../shared/store/schema';

const SERVERLESS_FILE = resolve(__dirname, '..', '..', 'serverless.yml');

/** CreateTable input for the events table `tableName`, read from serverless.yml. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return definitionOf('AppEventTable', tableName);
}

/** CreateTable input for the pending table beside the events table `tableName`. */
export function pendingTableDefinition(tableName: string): CreateTableCommandInput {
  return definitionOf('PendingTable', pendingTableName(tableName));
}

function definitionOf(resource: string, tableName: string): CreateTableCommandInput {
  const document: unknown = parse(readFileSync(SERVERLESS_FILE, 'utf8'));
  // `resources` is a list of parts; the tables are written out in one of them.
  const parts = dig(document, ['resources']);
  const properties = (Array.isArray(parts) ? parts : [parts])
    .map((part) => dig(part, ['Resources', resource, 'Properties']))
    .find(isPlainObject);
  if (!isPlainObject(properties)) throw new Error(`${SERVERLESS_FILE}: ${resource} Properties not found`);
  // Only what CreateTable knows; TTL, point-in-time recovery and encryption are deploy-time settings
  // that the emulator does not model.
  const { AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } = properties;
  if (!Array.isArray(AttributeDefinitions) || !Array.isArray(KeySchema)) {
    throw new Error(`${SERVERLESS_FILE}: ${resource} needs AttributeDefinitions and KeySchema`);
  }
  return {
    TableName: tableName,
    BillingMode: BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    AttributeDefinitions,
    KeySchema,
    ...(Array.isArray(GlobalSecondaryIndexes) ? { GlobalSecondaryIndexes } : {}),
  };
}

function dig(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  return current;
}

/** Creates the events table `tableName` and its pending table unless they exist (ensureOne). */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'exists' | 'updated'> {
  const [events] = await Promise.all([
    ensureOne(client, tableDefinition(tableName)),
    ensureOne(client, pendingTableDefinition(tableName)),
  ]);
  return events;
}

/**
 * Creates a table unless it exists, and adds the indexes an existing table lacks (a local table
 * kept from an older version); waits until it is ACTIVE.
 */
async function ensureOne(
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
): Promise<'created' | 'exists' | 'updated'> {
  const tableName = definition.TableName ?? '';
  let existing: string[] | undefined;
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = (described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ResourceNotFoundException') throw error;
  }
  if (existing !== undefined) {
    const missing = (definition.GlobalSecondaryIndexes ?? []).filter(
      (index) => !existing.includes(index.IndexName ?? ''),
    );
    if (missing.length === 0) return 'exists';
    // The emulator cannot add an index to a table: rebuild it with every item kept.
    const items = await scanAll(client, tableName);
    console.log(
      `local table ${tableName}: adding index ${missing.map((index) => index.IndexName).join(', ')} (${items.length} items kept)`,
    );
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitUntilTableNotExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { TableName: tableName });
    await createAndWait(client, definition);
    for (const item of items) await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    return 'updated';
  }
  await createAndWait(client, definition);
  return 'created';
}

async function createAndWait(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  await client.send(new CreateTableCommand(definition));
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 },
    { TableName: definition.TableName },
  );
}

async function scanAll(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
