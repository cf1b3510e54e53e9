// openapi.json: a valid OpenAPI 3.1 document (checked by a maintained parser), describing exactly
// the routes serverless.yml serves, the record and catalog the code uses; and the checker that holds
// every response of the test suite against it fails on what the document does not describe.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { operationsOf, SOURCES } from '../../shared/event/catalog';
import { RECORD_FIELDS } from '../../shared/event/record';
import { checkResponse, OPENAPI_PATH, type ReceivedResponse } from '../support/contract';

const document = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));

/** "METHOD /path" of every httpApi event in serverless.yml. */
function servedRoutes(): string[] {
  const config = parse(readFileSync(resolve(__dirname, '..', '..', 'serverless.yml'), 'utf8'));
  const routes: string[] = [];
  for (const fn of Object.values<{ events?: { httpApi?: { method: string; path: string } }[] }>(config.functions)) {
    for (const event of fn.events ?? []) {
      if (event.httpApi) routes.push(`${event.httpApi.method.toUpperCase()} ${event.httpApi.path}`);
    }
  }
  return routes.sort();
}

describe('openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it('describes exactly the routes serverless.yml serves', () => {
    const documented = Object.entries<Record<string, unknown>>(document.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(servedRoutes());
  });

  it('gives the record its 15 fields in order, and the catalog’s sources and operations', () => {
    const record = document.components.schemas.Record;
    expect(Object.keys(record.properties)).toEqual([...RECORD_FIELDS]);
    expect(record.required).toEqual([...RECORD_FIELDS]);
    expect(document.components.schemas.Source.enum).toEqual([...SOURCES]);
    const operations = new Set(SOURCES.flatMap((source) => operationsOf(source)));
    expect(new Set(document.components.schemas.Operation.enum)).toEqual(operations);
  });

  it('documents every error status of every webhook, and the read API’s and the page’s', () => {
    const statuses = (path: string, method: string) => Object.keys(document.paths[path][method].responses).sort();
    const errors = ['400', '401', '413', '415', '422', '500', '503'];
    for (const source of ['confgo', 'devops', 'grafana']) {
      expect(statuses(`/webhooks/${source}`, 'post')).toEqual(['202', ...errors].sort());
    }
    expect(statuses('/webhooks/git', 'post')).toEqual(['200', '202', ...errors].sort());
    expect(statuses('/events', 'get')).toEqual(['200', '400', '401', '413', '500', '503']);
    expect(statuses('/events/{id}', 'get')).toEqual(['200', '400', '401', '404', '413', '500', '503']);
    expect(statuses('/events/{id}/context', 'get')).toEqual(['200', '400', '401', '404', '413', '500', '503']);
    expect(statuses('/status', 'get')).toEqual(['200', '400', '401', '413', '500', '503']);
    expect(statuses('/', 'get')).toEqual(['200', '404', '413', '500']);
  });

  it('names an auth scheme for each sender', () => {
    const security = (path: string, method: string) =>
      document.paths[path][method].security.map((s: Record<string, unknown>) => Object.keys(s)[0]);
    expect(security('/webhooks/confgo', 'post')).toEqual(['standardWebhooks']);
    expect(security('/webhooks/devops', 'post')).toEqual(['standardWebhooks']);
    expect(security('/webhooks/git', 'post')).toEqual(['gitlabToken', 'gitlabSignature', 'githubSignature']);
    expect(security('/webhooks/grafana', 'post')).toEqual(['grafanaSignature', 'grafanaBearer', 'grafanaBasic']);
    expect(security('/events', 'get')).toEqual(['readApiToken']);
    expect(security('/status', 'get')).toEqual(['readApiToken']);
    expect(security('/', 'get')).toEqual([]);
  });
});

describe('the response checker', () => {
  const record = {
    id: 376070490972688,
    app_name: 'user-svc',
    aid: 42,
    zone_code: 'cn-sh-01',
    env: 'prod',
    host_name: 'host-a',
    operator_type: 'user',
    user_name: 'alice',
    uid: 7,
    operation: 'confgo_file_publish',
    create_time: 1795881284,
    source: 'confgo',
    metadata: '{}',
    operation_name: '配置发布',
    source_name: '配置中心',
  };
  const json = { 'content-type': 'application/json' };
  const response = (over: Partial<ReceivedResponse>): ReceivedResponse => ({
    method: 'GET',
    path: '/events/376070490972688',
    status: 200,
    headers: json,
    text: JSON.stringify(record),
    ...over,
  });

  it('accepts a response the document describes', async () => {
    await expect(checkResponse(response({}))).resolves.toBeUndefined();
    const notFound = { error: { code: 'not_found', message: 'no event has id 1' } };
    await expect(checkResponse(response({ status: 404, text: JSON.stringify(notFound) }))).resolves.toBeUndefined();
  });

  it('fails a path, method or status the document does not have', async () => {
    await expect(checkResponse(response({ path: '/nowhere' }))).rejects.toThrow('no such path');
    await expect(checkResponse(response({ method: 'DELETE' }))).rejects.toThrow('no delete /events/{id}');
    await expect(checkResponse(response({ status: 418 }))).rejects.toThrow('no status 418');
  });

  it('fails a body that does not match: an extra field, a wrong type, an undocumented error code', async () => {
    await expect(checkResponse(response({ text: JSON.stringify({ ...record, extra: 1 }) }))).rejects.toThrow(
      'must NOT have additional properties',
    );
    await expect(checkResponse(response({ text: JSON.stringify({ ...record, aid: '42' }) }))).rejects.toThrow(
      '/aid must be integer',
    );
    const odd = { error: { code: 'teapot', message: 'x' } };
    await expect(checkResponse(response({ status: 404, text: JSON.stringify(odd) }))).rejects.toThrow(
      'must be equal to one of the allowed values',
    );
  });

  it('fails a missing required header and an undocumented media type', async () => {
    const unavailable = { error: { code: 'service_unavailable', message: 'DynamoDB is unavailable' } };
    await expect(checkResponse(response({ status: 503, text: JSON.stringify(unavailable) }))).rejects.toThrow(
      'Retry-After is missing',
    );
    await expect(checkResponse(response({ headers: { 'content-type': 'text/plain' } }))).rejects.toThrow(
      'text/plain is not documented',
    );
  });
});
