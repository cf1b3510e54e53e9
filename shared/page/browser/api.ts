// The read API as the page uses it: one GET with the token from this tab, every answer checked, and
// every way it can fail sorted into the few kinds the page tells a person about.

/** The fields of an event the page shows, checked on arrival. */
export interface PageEvent {
  id: number;
  app_name: string;
  env: string;
  host_name: string;
  user_name: string;
  operation: string;
  operation_name: string;
  create_time: number;
  source: string;
  metadata: string;
  [field: string]: unknown;
}

/** Why a request gave no answer the page can use: no or wrong token, API down, request refused, no such event. */
export interface Failure {
  kind: 'token' | 'unavailable' | 'refused' | 'missing';
  status: number;
  message: string;
}

/** GET `path` (relative to the page) with `params`; the parsed body, or a thrown Failure. */
export type ReadApi = (path: string, params?: Record<string, string>) => Promise<unknown>;

export interface ReadApiOptions {
  fetch: (url: URL, init: RequestInit) => Promise<Response>;
  /** The token kept in this tab, or null when there is none. */
  token: () => string | null;
  /** The page's own address, which API paths are relative to. */
  base: () => string;
}

export function failure(kind: Failure['kind'], status: number, message: string): Failure {
  return { kind, status, message };
}

export function isFailure(value: unknown): value is Failure {
  return isObject(value) && typeof value.kind === 'string' && typeof value.message === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TEXT_FIELDS = ['app_name', 'env', 'host_name', 'user_name', 'operation', 'operation_name', 'source', 'metadata'];

function isEvent(value: unknown): value is PageEvent {
  if (!isObject(value)) return false;
  return (
    typeof value.id === 'number' &&
    typeof value.create_time === 'number' &&
    TEXT_FIELDS.every((name) => typeof value[name] === 'string')
  );
}

export function createReadApi(options: ReadApiOptions): ReadApi {
  return async function read(path, params = {}) {
    const token = options.token();
    if (!token) throw failure('token', 0, 'no token');
    const url = new URL(path, options.base());
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    let response: Response;
    try {
      response = await options.fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    } catch {
      throw failure('unavailable', 0, 'the API cannot be reached');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok && body !== undefined) return body;
    throw refusal(response, body);
  };
}

/** The Failure an answer other than a 2xx with a JSON body stands for, with the API's own code and message. */
function refusal(response: Response, body: unknown): Failure {
  const error = isObject(body) && isObject(body.error) ? body.error : {};
  const text = `${response.status} ${String(error.code ?? response.statusText)}: ${String(error.message ?? 'no details')}`;
  if (response.status === 401) return failure('token', 401, text);
  if (response.status === 404) return failure('missing', 404, text);
  if (response.status >= 400 && response.status < 500) return failure('refused', response.status, text);
  return failure('unavailable', response.status, text);
}

/** A page of GET /events, checked: an answer of another shape is treated as the API failing. */
export function readPage(body: unknown): { events: PageEvent[]; next: string | undefined } {
  const events = isObject(body) && Array.isArray(body.events) ? body.events.filter(isEvent) : [];
  if (!isObject(body) || !Array.isArray(body.events) || events.length !== body.events.length) {
    throw failure('unavailable', 200, 'the API answered GET /events with an unexpected body');
  }
  const next = body.next_cursor;
  return { events, next: typeof next === 'string' ? next : undefined };
}

/** GET /events/{id}, checked. */
export async function readEvent(api: ReadApi, id: string): Promise<PageEvent> {
  const record = await api(`events/${id}`);
  if (!isEvent(record)) throw failure('unavailable', 200, `the API answered GET /events/${id} with an unexpected body`);
  return record;
}
