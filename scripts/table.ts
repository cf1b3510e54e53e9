// Creates the appevent table in a local emulator from the one definition in serverless.yml
// (resources.Resources.AppEventTable), so local and deployed keys and indexes cannot drift.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { isPlainObject } from '../shared/fields';

const SERVERLESS_FILE = resolve(__dirname, '..', 'serverless.yml');

/** CreateTable input for `tableName`, read from serverless.yml. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const document: unknown = parse(readFileSync(SERVERLESS_FILE, 'utf8'));
  const properties = dig(document, ['resources', 'Resources', 'AppEventTable', 'Properties']);
  if (!isPlainObject(properties)) throw new Error(`${SERVERLESS_FILE}: AppEventTable Properties not found`);
  // Only what CreateTable knows; TTL, point-in-time recovery and encryption are deploy-time settings
  // that the emulator does not model.
  const { AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } = properties;
  if (!Array.isArray(AttributeDefinitions) || !Array.isArray(KeySchema) || !Array.isArray(GlobalSecondaryIndexes)) {
    throw new Error(
      `${SERVERLESS_FILE}: AppEventTable needs AttributeDefinitions, KeySchema and GlobalSecondaryIndexes`,
    );
  }
  return {
    TableName: tableName,
    BillingMode: BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    AttributeDefinitions,
    KeySchema,
    GlobalSecondaryIndexes,
  };
}

function dig(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  return current;
}

/** Creates the table unless it exists; waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { TableName: tableName });
  return 'created';
}
