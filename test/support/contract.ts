// The OpenAPI document (openapi.json) as the tests' oracle: every response a test receives, from a
// handler (invoke) or over HTTP (contractFetch), must be one the document describes — its path,
// method, status, media type, required headers and body schema — so the code and the document
// cannot drift. A response the document has no entry for fails the test.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dereference } from '@readme/openapi-parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

export const OPENAPI_PATH = resolve(__dirname, '..', '..', 'openapi.json');

export interface ReceivedResponse {
  method: string;
  /** The request path, without the query. */
  path: string;
  /** The route's path template ("/events/{id}") when the caller knows it, as API Gateway's routeKey does. */
  route?: string | undefined;
  status: number;
  headers: Readonly<Record<string, unknown>>;
  text: string;
}

type Json = Record<string, unknown>;

interface Contract {
  paths: { template: string; pattern: RegExp; item: Json }[];
  validators: Map<string, ValidateFunction>;
  ajv: Ajv2020;
}

let loading: Promise<Contract> | undefined;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function load(): Promise<Contract> {
  const document: unknown = await dereference(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
  if (!isJson(document) || !isJson(document.paths)) throw new Error('openapi.json has no paths');
  const paths = Object.entries(document.paths).map(([template, item]) => {
    if (!isJson(item)) throw new Error(`openapi.json: ${template} is not a path item`);
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    return { template, pattern: new RegExp(`^${source}$`), item };
  });
  return { paths, validators: new Map(), ajv: new Ajv2020({ allErrors: true, strict: true }) };
}

function header(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : String(found[1]);
}

export class ContractError extends Error {
  constructor(response: ReceivedResponse, problem: string) {
    super(
      `${response.method} ${response.path} → ${response.status}: ${problem}\n  body: ${response.text.slice(0, 400)}`,
    );
    this.name = 'ContractError';
  }
}

/** Throws a ContractError unless openapi.json describes this response. */
export async function checkResponse(response: ReceivedResponse): Promise<void> {
  loading ??= load();
  const contract = await loading;
  const fail = (problem: string) => new ContractError(response, problem);
  const path = contract.paths.find((entry) =>
    response.route === undefined ? entry.pattern.test(response.path) : entry.template === response.route,
  );
  if (path === undefined) throw fail(`openapi.json has no such path${response.route ? ` (${response.route})` : ''}`);
  const method = response.method.toLowerCase();
  const operation = path.item[method];
  if (!isJson(operation) || !isJson(operation.responses)) throw fail(`openapi.json has no ${method} ${path.template}`);
  const documented = operation.responses[String(response.status)];
  if (!isJson(documented)) throw fail(`openapi.json has no status ${response.status} for ${method} ${path.template}`);

  for (const [name, spec] of Object.entries(isJson(documented.headers) ? documented.headers : {})) {
    if (!isJson(spec)) continue;
    const value = header(response.headers, name);
    if (value === undefined) {
      if (spec.required === true) throw fail(`the required header ${name} is missing`);
      continue;
    }
    validate(contract, `${method} ${path.template} ${response.status} header ${name}`, spec.schema, value, fail);
  }

  const content = isJson(documented.content) ? documented.content : undefined;
  if (content === undefined) {
    if (response.text !== '') throw fail('the document describes no body for this status');
    return;
  }
  const mediaType = header(response.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  const media = content[mediaType];
  if (!isJson(media)) {
    throw fail(
      `content-type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`,
    );
  }
  let body: unknown = response.text;
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    try {
      body = JSON.parse(response.text);
    } catch {
      throw fail('the body is not JSON');
    }
  }
  validate(contract, `${method} ${path.template} ${response.status} ${mediaType}`, media.schema, body, fail);
}

function validate(
  contract: Contract,
  key: string,
  schema: unknown,
  value: unknown,
  fail: (problem: string) => Error,
): void {
  let validator = contract.validators.get(key);
  if (validator === undefined) {
    if (!isJson(schema)) throw fail(`${key} has no schema`);
    validator = contract.ajv.compile(schema);
    contract.validators.set(key, validator);
  }
  if (!validator(value)) {
    const problems = (validator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
    throw fail(`does not match the document's schema (${key}): ${problems.slice(0, 5).join('; ')}`);
  }
}

/** fetch, then checks the response against the document (the request's own method and path). */
export async function contractFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  const text = await response.clone().text();
  await checkResponse({
    method: init.method ?? 'GET',
    path: new URL(url).pathname,
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text,
  });
  return response;
}
