// No secret value and no request value reaches a response or a log line: a refused request names the
// field and the expected form, and a malformed secret names its key, never what it holds.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config';
import type { SecretProvider } from '../../shared/config/secrets';
import type { Log } from '../../shared/logger';
import { assemble, functionHandler, type RouteName } from '../../shared/runtime';
import { createDynamoClient } from '../../shared/store/client';
import { API_TOKEN, SECRETS, TEST_CONFIG } from '../support/config';
import { invoke, type RequestSpec, signStandard } from '../support/http';

/** A value that appears nowhere in the code or the config: finding it in the output means it was echoed. */
const DISTINCTIVE = 'Zq7-distinctive-9Xw';

function capturingLogger(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      lines.push(JSON.stringify({ level, message, ...attributes }));
    };
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

/** One function's handler over a store nothing answers (every request here is refused before it). */
function handlerFor(name: RouteName, options: { secrets?: SecretProvider; env?: NodeJS.ProcessEnv } = {}) {
  const logger = capturingLogger();
  const config = parseConfig(TEST_CONFIG, { file: 'redaction.toml', env: options.env ?? {} });
  const runtime = assemble(config, {
    client: createDynamoClient({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
    publisher: undefined,
    logger,
    secrets: options.secrets,
  });
  return { handler: functionHandler(name, runtime), logger };
}

function signedEnvelope(fields: Record<string, unknown>): RequestSpec {
  const body = JSON.stringify({ app_name: 'a', operation: 'confgo_file_create', ...fields });
  return { path: '/webhooks/confgo', body, headers: signStandard(SECRETS.confgo, body) };
}

describe('a refused request', () => {
  it.each([
    [
      'uid',
      { uid: DISTINCTIVE },
      'uid: must be a whole number from 0 to 9007199254740991 (got a string of 19 characters)',
    ],
    ['operation', { operation: DISTINCTIVE }, /^operation: must be one of confgo_/],
    [
      'operator_type',
      { operator_type: DISTINCTIVE },
      'operator_type: must be "user" or "openapi" (got a string of 19 characters)',
    ],
    [
      'source',
      { source: DISTINCTIVE },
      'source: must be "confgo" on this route, or absent (got a string of 19 characters)',
    ],
    ['metadata', { metadata: DISTINCTIVE }, /^metadata: must be an object or a string holding a JSON object/],
  ])('answers 422 naming %s and its expected form, never its value', async (_field, fields, message) => {
    const { handler, logger } = handlerFor('confgo');
    const response = await invoke(handler, signedEnvelope(fields));
    expect(response.status).toBe(422);
    expect((response.body as { error: { message: string } }).error.message).toMatch(
      typeof message === 'string' ? new RegExp(`^${message.replace(/[()]/g, '\\$&')}$`) : message,
    );
    expect(response.text).not.toContain(DISTINCTIVE);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).toContain('request rejected');
    expect(logger.lines.join('\n')).not.toContain(DISTINCTIVE);
  });

  it('answers 415 without quoting the content-type it was sent', async () => {
    const { handler, logger } = handlerFor('confgo');
    const spec = signedEnvelope({});
    const response = await invoke(handler, {
      ...spec,
      headers: { ...spec.headers, 'content-type': `text/${DISTINCTIVE}` },
    });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      error: {
        code: 'unsupported_media_type',
        message: 'content-type must be application/json (got another media type)',
      },
    });
    expect(logger.lines.join('\n')).not.toContain(DISTINCTIVE);
  });

  it.each([
    [{ operation: DISTINCTIVE }, 'operation must be an operation of the catalog'],
    [{ app_name: 'a', [DISTINCTIVE]: 'x' }, 'a query parameter is not one of the known: '],
  ])('answers the read API 400 without quoting the query (%o)', async (query, message) => {
    const { handler, logger } = handlerFor('events');
    const response = await invoke(handler, {
      method: 'GET',
      path: '/events',
      routeKey: 'GET /events',
      query,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(response.status).toBe(400);
    expect((response.body as { error: { message: string } }).error.message).toContain(message);
    expect(response.text).not.toContain(DISTINCTIVE);
    expect(logger.lines.join('\n')).not.toContain(DISTINCTIVE);
  });
});

describe('a malformed secret', () => {
  const deployed = {
    AWS_LAMBDA_FUNCTION_NAME: 'junoevent-prod-confgo',
    JUNOEVENT_SECRETS: 'aws:junoevent/prod/confgo',
  };
  const secretOf = (value: Record<string, unknown>): SecretProvider => ({
    name: 'Secrets Manager junoevent/prod/confgo',
    read: async () => value,
  });

  it.each([
    [
      'a previous that is a string, not a table',
      { secret: SECRETS.confgo, previous: `whsec_${DISTINCTIVE}` },
      /previous must be an object \(got a string of 25 characters\)/,
    ],
    [
      'a secret that is not a Standard Webhooks secret',
      { secret: DISTINCTIVE },
      /secret must be a Standard Webhooks secret/,
    ],
    [
      'a key that is not a credential',
      { secret: SECRETS.confgo, allowUnsigned: DISTINCTIVE },
      /may set only credentials \(secret, previous\): \\"allowUnsigned\\" is not one/,
    ],
  ])('with %s: logs the secret and the key, never the value, and answers 503', async (_case, value, logged) => {
    const { handler, logger } = handlerFor('confgo', { secrets: secretOf(value), env: deployed });
    const response = await invoke(handler, signedEnvelope({}));
    expect(response.status).toBe(503);
    const log = logger.lines.join('\n');
    expect(log).toContain('credentials could not be read');
    expect(log).toContain('Secrets Manager junoevent/prod/confgo');
    expect(log).toMatch(logged);
    expect(log).not.toContain(DISTINCTIVE);
    expect(response.text).not.toContain(DISTINCTIVE);
  });
});
