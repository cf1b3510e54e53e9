import { describe, expect, it } from 'vitest';
import { FieldError } from '../../shared/errors';
import { parseEnvelope } from '../../shared/sources/envelope/envelope';

const NOW = 1_795_000_000;

function fieldError(run: () => unknown): FieldError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FieldError);
    return error as FieldError;
  }
  throw new Error('expected a FieldError');
}

describe('Juno event envelope', () => {
  it('shapes a complete envelope into a draft record', () => {
    const draft = parseEnvelope(
      'confgo',
      {
        app_name: 'user-svc',
        aid: 42,
        zone_code: 'cn-sh-01',
        env: 'prod',
        host_name: ['host-a', 'host-b'],
        operator_type: 'openapi',
        user_name: 'deploy-bot',
        uid: 3,
        operation: 'confgo_file_publish',
        create_time: 1_700_000_000,
        source: 'confgo',
        metadata: { configuration_id: 10 },
      },
      NOW,
    );
    expect(draft).toEqual({
      app_name: 'user-svc',
      aid: 42,
      zone_code: 'cn-sh-01',
      env: 'prod',
      host_name: 'host-a,host-b',
      operator_type: 'openapi',
      user_name: 'deploy-bot',
      uid: 3,
      operation: 'confgo_file_publish',
      create_time: 1_700_000_000,
      source: 'confgo',
      metadata: '{"configuration_id":10}',
    });
  });

  it('fills defaults: create_time now, user operator, empty strings, zero ids, {} metadata', () => {
    expect(parseEnvelope('devops', { app_name: 'a', operation: 'devops_deploy' }, NOW)).toEqual({
      app_name: 'a',
      aid: 0,
      zone_code: '',
      env: '',
      host_name: '',
      operator_type: 'user',
      user_name: '',
      uid: 0,
      operation: 'devops_deploy',
      create_time: NOW,
      source: 'devops',
      metadata: '{}',
    });
  });

  it('keeps metadata given as a JSON string as it was sent', () => {
    const metadata = '{"b":1,  "a":[2]}';
    expect(parseEnvelope('confgo', { app_name: 'a', operation: 'confgo_file_create', metadata }, NOW).metadata).toBe(
      metadata,
    );
  });

  it('accepts app_node_restart from both confgo and devops', () => {
    expect(parseEnvelope('confgo', { app_name: 'a', operation: 'app_node_restart' }, NOW).source).toBe('confgo');
    expect(parseEnvelope('devops', { app_name: 'a', operation: 'app_node_restart' }, NOW).source).toBe('devops');
  });

  it.each([
    [{ app_name: 'a', operation: 'devops_deploy' }, 'operation', 'confgo'],
    [{ app_name: 'a', operation: 'git_push' }, 'operation', 'confgo'],
    [{ operation: 'confgo_file_create' }, 'app_name', 'confgo'],
    [{ app_name: '', operation: 'confgo_file_create' }, 'app_name', 'confgo'],
    [{ app_name: 7, operation: 'confgo_file_create' }, 'app_name', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', aid: '42' }, 'aid', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', aid: -1 }, 'aid', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', uid: 1.5 }, 'uid', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', create_time: 1_700_000_000_000 }, 'create_time', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', operator_type: 'robot' }, 'operator_type', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', metadata: '{not json' }, 'metadata', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', metadata: [1, 2] }, 'metadata', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', metadata: '"a string"' }, 'metadata', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', host_name: [1] }, 'host_name.0', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', source: 'devops' }, 'source', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', id: 5 }, 'id', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', operation_name: 'x' }, 'operation_name', 'confgo'],
    [{ app_name: 'a', operation: 'confgo_file_create', extra: true }, 'extra', 'confgo'],
    [{ app_name: 'a'.repeat(192), operation: 'confgo_file_create' }, 'app_name', 'confgo'],
  ] as const)('rejects %j naming %s', (body, field, source) => {
    expect(fieldError(() => parseEnvelope(source, body, NOW)).path).toBe(field);
  });

  it('rejects a __proto__ key instead of merging it', () => {
    const body: unknown = JSON.parse('{"app_name":"a","operation":"confgo_file_create","__proto__":{"admin":true}}');
    expect(fieldError(() => parseEnvelope('confgo', body, NOW)).path).toBe('__proto__');
  });

  it('rejects bodies that are not objects', () => {
    for (const body of [null, [], 'text', 42]) {
      expect(fieldError(() => parseEnvelope('confgo', body, NOW)).message).toMatch(/must be an object/);
    }
  });

  it('refuses metadata over 64 KiB, saying how large it was', () => {
    const metadata = { blob: 'x'.repeat(70_000) };
    const error = fieldError(() =>
      parseEnvelope('confgo', { app_name: 'a', operation: 'confgo_file_create', metadata }, NOW),
    );
    expect(error.message).toBe('metadata must be at most 65536 bytes of JSON (it is 70011)');
  });
});
