// The store's commands as pure builders: each one's key, condition and values, without DynamoDB.

import { describe, expect, it } from 'vitest';
import { completeRecord } from '../../shared/event/record';
import {
  claimDeliveryInput,
  getItemInput,
  markPublishedInput,
  markPublishFailedInput,
  pendingShardInput,
  putEventInput,
  repointDeliveryInput,
} from '../../shared/store/commands';

const record = completeRecord(
  {
    app_name: 'user-svc',
    aid: 4,
    zone_code: 'z',
    env: 'prod',
    host_name: 'h',
    operator_type: 'user',
    user_name: 'u',
    uid: 2,
    operation: 'confgo_file_publish',
    create_time: 1_795_000_000,
    source: 'confgo',
    metadata: '{}',
  },
  4097,
);

describe('store commands', () => {
  it('claims a delivery unless a claim that is still live holds it, handing back the one that refused', () => {
    const input = claimDeliveryInput('appevent', { pk: 'D#confgo#k', eventId: 4097, expiresAt: 2000 }, 1000);
    expect(input).toMatchObject({
      TableName: 'appevent',
      Item: { pk: { S: 'D#confgo#k' }, event_id: { N: '4097' }, expires_at: { N: '2000' } },
      ConditionExpression: 'attribute_not_exists(#pk) OR #expires < :now',
      ExpressionAttributeNames: { '#pk': 'pk', '#expires': 'expires_at' },
      ExpressionAttributeValues: { ':now': { N: '1000' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('writes an event only at a free id, with its delivery and, when publishing, its pending mark', () => {
    const input = putEventInput('appevent', record, { delivery: 'D#confgo#k', pending: true });
    expect(input.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(input.Item).toMatchObject({
      pk: { S: 'E#4097' },
      delivery: { S: 'D#confgo#k' },
      pending: { S: 'P#01' },
      id: { N: '4097' },
    });
    const unpublished = putEventInput('appevent', record, { delivery: undefined, pending: false });
    expect(unpublished.Item).not.toHaveProperty('pending');
    expect(unpublished.Item).not.toHaveProperty('delivery');
  });

  it('moves a claim only while it names the old id', () => {
    expect(repointDeliveryInput('appevent', 'D#confgo#k', 1, 2)).toMatchObject({
      Key: { pk: { S: 'D#confgo#k' } },
      UpdateExpression: 'SET #eventId = :to',
      ConditionExpression: '#eventId = :from',
      ExpressionAttributeValues: { ':to': { N: '2' }, ':from': { N: '1' } },
    });
  });

  it('clears the pending mark of an existing event; records a failure only while it is pending', () => {
    expect(markPublishedInput('appevent', 4097, 1234)).toMatchObject({
      Key: { pk: { S: 'E#4097' } },
      UpdateExpression: 'REMOVE #pending, #attempts, #retryAt SET #publishedAt = :now',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeValues: { ':now': { N: '1234' } },
    });
    expect(markPublishFailedInput('appevent', 4097, 2, 99)).toMatchObject({
      ConditionExpression: 'attribute_exists(#pending)',
      ExpressionAttributeValues: { ':attempts': { N: '2' }, ':retryAt': { N: '99' } },
    });
  });

  it('reads strongly consistent, and pages a pending shard oldest first from where it stopped', () => {
    expect(getItemInput('appevent', 'E#1')).toEqual({
      TableName: 'appevent',
      Key: { pk: { S: 'E#1' } },
      ConsistentRead: true,
    });
    const page = pendingShardInput('appevent', 'P#03', { maxId: 500, limit: 8, afterId: 131 });
    expect(page).toMatchObject({
      IndexName: 'byPending',
      KeyConditionExpression: '#pending = :pending AND #id <= :maxId',
      ScanIndexForward: true,
      Limit: 8,
      ExclusiveStartKey: { pending: { S: 'P#03' }, id: { N: '131' }, pk: { S: 'E#131' } },
    });
    const count = pendingShardInput('appevent', 'P#03', { count: true });
    expect(count).toMatchObject({ Select: 'COUNT', KeyConditionExpression: '#pending = :pending' });
    expect(count).not.toHaveProperty('ExclusiveStartKey');
  });
});
