// Property-based bad input on every route: random and mutated requests that are bad by
// construction (forged, stale or missing credentials, truncated JSON, wrong types, __proto__ and
// constructor keys, deep nesting, huge strings, invalid UTF-8, wrong content types). Every answer
// must be a 4xx JSON error with a code, never a 5xx, and nothing may be written.

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN, fixture, SECRETS } from '../support/config';
import { useFunctions } from '../support/functions';
import { type Handler, invoke, type RequestSpec, signStandard } from '../support/http';
import { CASES_PER_ROUTE, summary } from './support';

const { table, handlers } = useFunctions({ clearEach: false });

type Sign = (body: string, at?: Date) => Record<string, string>;

interface Route {
  name: string;
  path: string;
  handler: () => Handler;
  valid: string;
  /** Correct credentials (and content type) for `body`. */
  sign: Sign;
  /** Sets a field the route requires to `value`, which is never valid there. */
  breakField: (body: Record<string, unknown>, value: unknown) => void;
  /** Whether a signed timestamp exists (stale timestamps apply). */
  timed: boolean;
}

function grafanaSign(body: string, at = new Date()): Record<string, string> {
  const ts = String(Math.floor(at.getTime() / 1000));
  return {
    'content-type': 'application/json',
    'x-grafana-alerting-signature': createHmac('sha256', SECRETS.grafana).update(`${ts}:${body}`).digest('hex'),
    'x-grafana-alerting-timestamp': ts,
  };
}

const ROUTES: Route[] = [
  {
    name: 'confgo',
    path: '/webhooks/confgo',
    handler: () => handlers.confgo,
    valid: JSON.stringify({ app_name: 'user-svc', operation: 'confgo_file_publish', metadata: { id: 1 } }),
    sign: (body, at) => signStandard(SECRETS.confgo, body, at ? { at } : {}),
    breakField: (body, value) => {
      body.app_name = value;
    },
    timed: true,
  },
  {
    name: 'devops',
    path: '/webhooks/devops',
    handler: () => handlers.devops,
    valid: JSON.stringify({ app_name: 'order-svc', operation: 'devops_deploy', host_name: ['h1', 'h2'] }),
    sign: (body, at) => signStandard(SECRETS.devops, body, at ? { at } : {}),
    breakField: (body, value) => {
      body.operation = value;
    },
    timed: true,
  },
  {
    name: 'grafana',
    path: '/webhooks/grafana',
    handler: () => handlers.grafana,
    valid: fixture('grafana/alertmanager_v4_mixed.json'),
    sign: grafanaSign,
    breakField: (body, value) => {
      body.alerts = value;
    },
    timed: true,
  },
  {
    name: 'git (GitLab)',
    path: '/webhooks/git',
    handler: () => handlers.git,
    valid: fixture('git/gitlab_push_hook.json'),
    sign: () => ({ 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRETS.git }),
    breakField: (body, value) => {
      body.object_kind = value;
    },
    timed: false,
  },
  {
    name: 'git (GitHub)',
    path: '/webhooks/git',
    handler: () => handlers.git,
    valid: fixture('git/github_push_branch_with_commit.json'),
    sign: (body) => ({
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': 'reliability',
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRETS.git).update(body).digest('hex')}`,
    }),
    breakField: (body, value) => {
      body.repository = value;
    },
    timed: false,
  },
];

/** Values that are never valid where a route requires a string, a list of alerts, or an object. */
const invalidValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(''),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { minLength: 1, maxLength: 5 }),
  fc.string({ minLength: 192, maxLength: 4000 }).map((text) => `${text}-not-a-name-${text.length}`),
  fc.integer({ min: 50, max: 3000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`)),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
);

type Case = { kind: string; spec: Omit<RequestSpec, 'path'> };

function cases(route: Route): fc.Arbitrary<Case> {
  const body = route.valid;
  const post = (
    kind: string,
    raw: string,
    headers: Record<string, string>,
    extra: Partial<RequestSpec> = {},
  ): Case => ({
    kind,
    spec: { method: 'POST', body: raw, headers, ...extra },
  });
  const credentialHeaders = [
    'webhook-signature',
    'x-grafana-alerting-signature',
    'x-gitlab-token',
    'x-hub-signature-256',
    'authorization',
  ];
  const withoutCredentials = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !credentialHeaders.includes(name)));
  const forged = fc
    .tuple(fc.string({ maxLength: 2000 }), fc.base64String({ minLength: 4, maxLength: 88 }))
    .map(([raw, junk]) => {
      const headers = route.sign(raw);
      for (const name of credentialHeaders)
        if (name in headers) headers[name] = name === 'webhook-signature' ? `v1,${junk}` : junk;
      return post('forged credentials', raw, headers);
    });
  const unsigned = fc
    .string({ maxLength: 2000 })
    .map((raw) => post('no credentials', raw, withoutCredentials(route.sign(raw))));
  // A strict prefix of the object, never the whole of it (the files end with a newline).
  const whole = body.trimEnd();
  const truncated = fc.integer({ min: 1, max: whole.length - 1 }).map((end) => {
    const raw = whole.slice(0, end);
    return post('truncated JSON', raw, route.sign(raw));
  });
  const wrongType = invalidValue.map((value) => {
    const mutated = JSON.parse(body);
    route.breakField(mutated, value);
    const raw = JSON.stringify(mutated);
    return post('wrong type', raw, route.sign(raw));
  });
  const protoKey = fc.tuple(fc.jsonValue({ maxDepth: 3 }), invalidValue).map(([value, broken]) => {
    const mutated = JSON.parse(body);
    route.breakField(mutated, broken);
    const raw = `{"__proto__":${JSON.stringify(value ?? null)},${JSON.stringify(mutated).slice(1)}`;
    return post('__proto__ key', raw, route.sign(raw));
  });
  const contentType = fc
    .constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/octet-stream', 'text/json')
    .map((type) => post('wrong content type', body, { ...route.sign(body), 'content-type': type }));
  const invalidUtf8 = fc.uint8Array({ minLength: 0, maxLength: 64 }).map((bytes) => {
    const raw = Buffer.concat([Buffer.from(body.slice(0, 20)), Buffer.from([0xc3, 0x28]), Buffer.from(bytes)]);
    return post('invalid UTF-8', raw.toString('base64'), route.sign(raw.toString('latin1')), { isBase64Encoded: true });
  });
  const arbitraries: fc.Arbitrary<Case>[] = [
    forged,
    unsigned,
    truncated,
    wrongType,
    protoKey,
    contentType,
    invalidUtf8,
  ];
  if (route.timed) {
    const stale = fc
      .tuple(fc.integer({ min: 301, max: 10_000_000 }), fc.boolean())
      .map(([seconds, future]) =>
        post('stale signature', body, route.sign(body, new Date(Date.now() + (future ? 1 : -1) * seconds * 1000))),
      );
    arbitraries.push(stale);
  }
  return fc.oneof(...arbitraries);
}

/** The read API, with bad tokens, bad ids and bad queries. */
function readApiCases(): fc.Arbitrary<Case> {
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  const get = (kind: string, extra: Partial<RequestSpec>): Case => ({ kind, spec: { method: 'GET', ...extra } });
  const tokens = fc.oneof(
    fc.constant({}),
    fc.string({ maxLength: 80 }).map((token) => ({ authorization: `Bearer x${token}` })),
    fc.string({ maxLength: 80 }).map((token) => ({ authorization: token })),
  );
  const noToken = fc
    .tuple(tokens, fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })))
    .map(([headers, query]) => get('bad token', { headers, query }));
  const badId = fc
    .oneof(
      fc.string({ maxLength: 30 }).filter((id) => !/^\d{1,16}$/.test(id) || Number(id) === 0),
      fc.constant('0'),
      fc.constant('99999999999999999'),
    )
    .map((id) => get('bad id', { headers: auth, pathParameters: { id }, routeKey: 'GET /events/{id}' }));
  const badQuery = fc
    .oneof(
      fc.record({
        app_name: fc.constant('a'),
        limit: fc.oneof(
          fc.constant('0'),
          fc.constant('101'),
          fc.string({ minLength: 1 }).filter((v) => !/^\d+$/.test(v)),
        ),
      }),
      fc.record({
        app_name: fc.constant('a'),
        since: fc.string({ minLength: 1 }).filter((v) => !/^\d{1,11}$/.test(v)),
      }),
      fc.record({
        source: fc.string({ minLength: 1 }).filter((v) => !['confgo', 'git', 'devops', 'grafana'].includes(v)),
      }),
      fc.record({ app_name: fc.constant('a'), cursor: fc.string({ minLength: 1, maxLength: 200 }) }),
      fc.record({ env: fc.string() }),
      fc.dictionary(
        fc
          .string({ minLength: 1 })
          .filter((k) => !['app_name', 'env', 'source', 'operation', 'since', 'until', 'limit', 'cursor'].includes(k)),
        fc.string(),
        { minKeys: 1 },
      ),
    )
    .map((query) => get('bad query', { headers: auth, query }));
  return fc.oneof(noToken, badId, badQuery);
}

const tallies: Record<
  string,
  { sent: number; rejected: number; acceptedIds: number[]; byKind: Record<string, number> }
> = {};
/** Events in the table after the bad input, before the cursor scenario stores its own. */
let storedByBadInput: Record<string, unknown>[] | undefined;

async function checkRejected(routeName: string, handler: Handler, path: string, item: Case): Promise<void> {
  const response = await invoke(handler, { path, ...item.spec });
  tallies[routeName] ??= { sent: 0, rejected: 0, acceptedIds: [], byKind: {} };
  const tally = tallies[routeName];
  tally.sent += 1;
  tally.byKind[item.kind] = (tally.byKind[item.kind] ?? 0) + 1;
  if (response.status < 300) {
    for (const event of (response.body as { events?: { id: number }[] }).events ?? []) tally.acceptedIds.push(event.id);
  }
  expect(response.status, `${item.kind}: ${response.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${item.kind}: ${response.text.slice(0, 200)}`).toBeLessThan(500);
  const error = (response.body as { error?: { code?: unknown; message?: unknown } }).error;
  expect(typeof error?.code === 'string' && error.code.length > 0).toBe(true);
  expect(typeof error?.message).toBe('string');
  tally.rejected += 1;
}

describe('bad input on every route', () => {
  for (const route of ROUTES) {
    it(`${route.name}: ${CASES_PER_ROUTE} bad requests, each a 4xx JSON error, nothing stored`, async () => {
      await fc.assert(
        fc.asyncProperty(cases(route), (item) => checkRejected(route.name, route.handler(), route.path, item)),
        { numRuns: CASES_PER_ROUTE },
      );
      expect(await table.items()).toEqual([]);
    });
  }

  it(`read API: ${CASES_PER_ROUTE} bad requests, each a 4xx JSON error`, async () => {
    await fc.assert(
      fc.asyncProperty(readApiCases(), (item) =>
        checkRejected(
          'read API',
          handlers.events,
          item.spec.pathParameters?.id ? `/events/${item.spec.pathParameters.id}` : '/events',
          item,
        ),
      ),
      { numRuns: CASES_PER_ROUTE },
    );
  });
});

describe('forged cursors on a table that has events', () => {
  it(`read API: ${CASES_PER_ROUTE} well-formed forged or misused cursors, each 200 or 400 invalid_cursor, never 5xx`, async () => {
    storedByBadInput = await table.events();
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const base = 1_700_000_000;
    for (let n = 0; n < 6; n += 1) {
      const body = JSON.stringify({
        app_name: n % 2 ? 'seed-a' : 'seed-b',
        operation: 'confgo_file_update',
        create_time: base + n,
      });
      expect(
        (await invoke(handlers.confgo, { path: '/webhooks/confgo', body, headers: signStandard(SECRETS.confgo, body) }))
          .status,
      ).toBe(202);
    }
    const list = (query: Record<string, string>) =>
      invoke(handlers.events, { method: 'GET', path: '/events', query, headers: auth });
    const first = await list({ app_name: 'seed-a', limit: '1' });
    const real = (first.body as { next_cursor: string }).next_cursor;
    const decoded = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as { q: string; ts: string };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const sortKey = fc
      .tuple(fc.integer({ min: 0, max: 99_999_999_999 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
      .map(([ts, id]) => `${String(ts).padStart(11, '0')}#${String(id).padStart(16, '0')}`);
    const misuse = fc.record({
      app_name: fc.constantFrom('seed-a', 'seed-b', 'other'),
      since: fc.constantFrom(undefined, String(base), String(base + 3)),
      until: fc.constantFrom(undefined, String(base + 4)),
      env: fc.constantFrom(undefined, 'prod'),
    });
    const cursors = fc.oneof(
      // A real cursor reused with another listing: always 400.
      misuse
        .filter((q) => !(q.app_name === 'seed-a' && !q.since && !q.until && !q.env))
        .map((q) => ({ query: q, cursor: real, expect: [400] })),
      // The real fingerprint with any well-formed sort key: 200 when it is a key of this listing's range.
      sortKey.map((ts) => ({
        query: { app_name: 'seed-a' },
        cursor: encode({ q: decoded.q, ts }),
        expect: [200, 400],
      })),
      // Another listing's key, pk and partition as an older cursor shape carried them.
      fc.tuple(sortKey, fc.string({ maxLength: 20 })).map(([ts, k]) => ({
        query: { app_name: 'seed-a' },
        cursor: encode({ i: 'byApp', pk: `E#${k}`, ts, k }),
        expect: [400],
      })),
    );
    await fc.assert(
      fc.asyncProperty(cursors, async ({ query, cursor, expect: allowed }) => {
        const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >;
        const response = await list({ ...defined, cursor });
        tallies['read API (cursors)'] ??= { sent: 0, rejected: 0, acceptedIds: [], byKind: {} };
        const tally = tallies['read API (cursors)'];
        tally.sent += 1;
        if (response.status === 400) tally.rejected += 1;
        expect(allowed, response.text.slice(0, 200)).toContain(response.status);
        if (response.status === 400)
          expect((response.body as { error: { code: string } }).error.code).toBe('invalid_cursor');
      }),
      { numRuns: CASES_PER_ROUTE },
    );
  });
});

afterAll(async () => {
  const stored = storedByBadInput ?? (await table.events());
  const storedIds = new Set(stored.map((item) => Number(item.id)));
  for (const [route, tally] of Object.entries(tallies)) {
    const accepted = tally.sent - tally.rejected;
    summary(`bad input ${route}`, {
      sent: tally.sent,
      accepted,
      rejected: tally.rejected,
      stored: stored.length,
      published: 'n/a',
      // Accepted deliveries whose events are not stored; and events stored beyond what was accepted.
      lost: tally.acceptedIds.filter((id) => !storedIds.has(id)).length,
      duplicated: Math.max(stored.length - tally.acceptedIds.length, 0),
    });
  }
});
