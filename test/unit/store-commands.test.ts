// The store's commands as pure builders: each one's key, condition and values, without DynamoDB.

import { describe, expect, it } from 'vitest';
import { completeRecord } from '../../shared/event/record';
import {
  claimDeliveryInput,
  closeIdInput,
  deleteMarkInput,
  getItemInput,
  markPublishFailedInput,
  pendingShardInput,
  putEventInput,
  putMarkInput,
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

  it('writes an event only at a free id, with its delivery and nothing of publishing', () => {
    const input = putEventInput('appevent', record, 'D#confgo#k');
    expect(input.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(input.Item).toMatchObject({ pk: { S: 'E#4097' }, delivery: { S: 'D#confgo#k' }, id: { N: '4097' } });
    expect(Object.keys(input.Item ?? {}).filter((name) => /pending|publish|retry/.test(name))).toEqual([]);
    expect(putEventInput('appevent', record, undefined).Item).not.toHaveProperty('delivery');
  });

  it('closes an id only where no item is', () => {
    expect(closeIdInput('appevent', 4097, 1000)).toMatchObject({
      Item: { pk: { S: 'E#4097' }, id: { N: '4097' }, closed: { BOOL: true }, expires_at: { N: '87400' } },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });

  it('moves a claim only while it names the old id', () => {
    expect(repointDeliveryInput('appevent', 'D#confgo#k', 1, 2)).toMatchObject({
      Key: { pk: { S: 'D#confgo#k' } },
      UpdateExpression: 'SET #eventId = :to',
      ConditionExpression: '#eventId = :from',
      ExpressionAttributeValues: { ':to': { N: '2' }, ':from': { N: '1' } },
    });
  });

  it('marks an event pending in the pending table, deletes the mark, records a failure only while it is there', () => {
    expect(putMarkInput('appevent-pending', 4097, 5000)).toEqual({
      TableName: 'appevent-pending',
      Item: { pk: { S: 'P#01' }, id: { N: '4097' }, expires_at: { N: '5000' } },
    });
    expect(putMarkInput('appevent-pending', 4097).Item).not.toHaveProperty('expires_at');
    expect(deleteMarkInput('appevent-pending', 4097)).toEqual({
      TableName: 'appevent-pending',
      Key: { pk: { S: 'P#01' }, id: { N: '4097' } },
    });
    expect(markPublishFailedInput('appevent-pending', 4097, 2, 99)).toMatchObject({
      Key: { pk: { S: 'P#01' }, id: { N: '4097' } },
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeValues: { ':attempts': { N: '2' }, ':retryAt': { N: '99' } },
    });
  });

  it('reads strongly consistent, and pages a pending shard oldest first from where it stopped', () => {
    expect(getItemInput('appevent', 'E#1')).toEqual({
      TableName: 'appevent',
      Key: { pk: { S: 'E#1' } },
      ConsistentRead: true,
    });
    expect(getItemInput('appevent-pending', { pk: 'P#01', id: 4097 }).Key).toEqual({
      pk: { S: 'P#01' },
      id: { N: '4097' },
    });
    const page = pendingShardInput('appevent-pending', 'P#03', { maxId: 500, limit: 8, afterId: 131 });
    expect(page).toMatchObject({
      TableName: 'appevent-pending',
      KeyConditionExpression: '#pk = :shard AND #id <= :maxId',
      ScanIndexForward: true,
      Limit: 8,
      ExclusiveStartKey: { pk: { S: 'P#03' }, id: { N: '131' } },
    });
    expect(page).not.toHaveProperty('IndexName');
    const count = pendingShardInput('appevent-pending', 'P#03', { count: true });
    expect(count).toMatchObject({ Select: 'COUNT', KeyConditionExpression: '#pk = :shard' });
    expect(count).not.toHaveProperty('ExclusiveStartKey');
  });
});
