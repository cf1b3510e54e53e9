// Baseline: the same I/O as a webhook with nothing else: parse the JSON body, one conditional
// PutItem per event of an item like junoevent's (the body as metadata, the same index keys, so the
// database does the same indexing work), answer. Only the DynamoDB client is imported.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = new DynamoDBClient(endpoint ? { endpoint } : {});
const table = process.env.JUNOEVENT_TABLE ?? 'appevent';
let sequence = 0;

export async function put(body: string): Promise<number[]> {
  const parsed: unknown = JSON.parse(body);
  const alerts = typeof parsed === 'object' && parsed !== null && 'alerts' in parsed ? parsed.alerts : undefined;
  const count = Array.isArray(alerts) ? alerts.length : 1;
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    sequence += 1;
    const id = (Date.now() - 1_704_067_200_000) * 4096 + (sequence % 4096);
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: `B#${id}#${sequence}` },
          id: { N: String(id) },
          app_key: { S: 'baseline' },
          source: { S: 'baseline' },
          ts: { S: `${Math.floor(Date.now() / 1000)}#${id}` },
          metadata: { S: body },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    ids.push(id);
  }
  return ids;
}

export const handler = async (event: APIGatewayProxyEventV2) => {
  const ids = await put(event.body ?? '{}');
  return { statusCode: 202, body: JSON.stringify({ ids }) };
};
