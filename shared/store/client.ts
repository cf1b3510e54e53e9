// The DynamoDB client and the one place that sorts its errors: a refused condition, the store
// being unavailable (503, the sender retries), or a fault of ours (500).

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ServiceUnavailableError } from '../errors';

/** A DynamoDB client with bounded timeouts, so an unreachable database fails fast (503). */
export function createDynamoClient(env: NodeJS.ProcessEnv = process.env): DynamoDBClient {
  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  return new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
}

/** Plain objects into DynamoDB's attribute values (undefined fields are left out). */
export function toAttributes(value: Record<string, unknown>): Record<string, AttributeValue> {
  return marshall(value, { removeUndefinedValues: true });
}

export function fromAttributes(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item === undefined ? undefined : unmarshall(item);
}

export function allFromAttributes(items: Record<string, AttributeValue>[] | undefined): Record<string, unknown>[] {
  return (items ?? []).map((item) => unmarshall(item));
}

/** A conditional write either happened, or was refused; a refusal may carry the item that refused it. */
type ConditionalOutcome = { written: true } | { written: false; existing: Record<string, unknown> | undefined };

/**
 * Runs a conditional write (sent with ReturnValuesOnConditionCheckFailure ALL_OLD): a refusal gives
 * the item that is there when DynamoDB returns it, so the caller needs no second read.
 */
export async function conditionally(write: () => Promise<unknown>): Promise<ConditionalOutcome> {
  try {
    await write();
    return { written: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return { written: false, existing: fromAttributes(error.Item) };
    }
    throw asStoreError(error);
  }
}

/** Runs a read or an unconditional write, turning an outage into a 503. */
export async function orUnavailable<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw asStoreError(error);
  }
}

/** DynamoDB's own "busy or failing" answers: the request may succeed if sent again later. */
const RETRYABLE_EXCEPTIONS = [
  ThrottlingException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  InternalServerError,
] as const;

/** The SDK's and Node's names for a request that never got an answer. */
const TRANSPORT_FAILURES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** True when the store could not answer (an outage, throttling, a 5xx), as opposed to refusing the request. */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_EXCEPTIONS.some((type) => error instanceof type)) return true;
  if (error instanceof DynamoDBServiceException && error.$fault === 'server') return true;
  const status = '$metadata' in error ? httpStatusOf(error.$metadata) : 'none';
  if (status !== 'none' && (status === undefined || status >= 500)) return true;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return TRANSPORT_FAILURES.has(error.name) || (code !== undefined && TRANSPORT_FAILURES.has(code));
}

function httpStatusOf(metadata: unknown): number | undefined {
  const status =
    typeof metadata === 'object' && metadata !== null ? Reflect.get(metadata, 'httpStatusCode') : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Network failures, throttling and 5xx answers become a 503 (the sender retries); anything else
 * (a validation error, a missing table) stays an error and becomes a plain 500.
 */
function asStoreError(error: unknown): unknown {
  return isUnavailable(error)
    ? new ServiceUnavailableError('the event store is unavailable; retry later', { cause: error })
    : error;
}
