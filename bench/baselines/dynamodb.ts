// Baseline: the same I/O as a webhook with nothing else: parse the JSON body, one conditional
// PutItem per event of an item like junoevent's (the body as metadata, the same index keys, so the
// database does the same indexing work), publish each event when a publish is given, answer. Only
// the DynamoDB client is imported.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** One conditional PutItem per event of the body (a notification's alerts are its events). */
export function baselinePut(client: DynamoDBClient, table: string): (body: string) => Promise<number[]> {
  let sequence = 0;
  return async (body) => {
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
  };
}

/** The baseline's handler: store every event, then publish each one (when `publish` is given), answer. */
export function baselineHandler(deps: {
  put: (body: string) => Promise<number[]>;
  publish?: ((id: number, body: string) => Promise<void>) | undefined;
}) {
  return async (event: APIGatewayProxyEventV2) => {
    const body = event.body ?? '{}';
    const ids = await deps.put(body);
    if (deps.publish) for (const id of ids) await deps.publish(id, body);
    return { statusCode: 202, body: JSON.stringify({ ids }) };
  };
}

const endpoint = process.env.DYNAMODB_ENDPOINT;
export const put = baselinePut(
  new DynamoDBClient(endpoint ? { endpoint } : {}),
  process.env.JUNOEVENT_TABLE ?? 'appevent',
);
export const handler = baselineHandler({ put });
