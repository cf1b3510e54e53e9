// npm run remark [-- --table <name>]: after upgrading a stage from a release that kept the pending
// mark on the event item, marks every event still pending under the old mark in the pending table,
// so the redrive publishes it (docs/deploy.md). With --table, against DynamoDB in the account and
// region of the environment (AWS_REGION and credentials as the AWS CLI finds them); without it,
// against the running `npm start` (found like npm run redrive).

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../shared/store/client';
import { commandLine, runCommand } from './lib/cli';
import { locateInstance, networkReason } from './lib/instance';
import { remarkLegacyPending } from './lib/legacy-marks';
import { localSettings } from './lib/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REMARK_USAGE = [
  'usage: npm run remark [-- --table <name>]',
  '',
  'Marks in the pending table every event that an earlier release left pending on its own item, so the',
  'redrive publishes it; prints {"scanned":…,"marked":[ids]}. Run it once after upgrading a stage.',
  '',
  '  --table  the events table of a deployed stage (appevent-<stage>), in the account and region of',
  '           the environment; without it, the table of the running npm start',
].join('\n');

async function main(): Promise<number> {
  const line = commandLine('remark', REMARK_USAGE, { options: { table: { type: 'string' } } });
  if (typeof line === 'number') return line;
  const deployed = line.values.table;
  if (deployed !== undefined) {
    const report = await remarkLegacyPending(new DynamoDBClient({}), deployed);
    console.log(JSON.stringify(report));
    return 0;
  }
  const located = locateInstance();
  const client = createDynamoClient({
    ...process.env,
    DYNAMODB_ENDPOINT: located.dynamoEndpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  });
  try {
    console.log(JSON.stringify(await remarkLegacyPending(client, localSettings().table)));
  } catch (error) {
    throw new Error(
      `remark could not use DynamoDB at ${located.dynamoEndpoint} (${networkReason(error)}): ${located.hint}`,
    );
  }
  return 0;
}

if (require.main === module) runCommand(main);
