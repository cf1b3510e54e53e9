// The local first run off the default path, with the real `npm start` on ports chosen at run time:
// taken ports, a second start on the same data folder, the startup output, every sender through
// `npm run send` (found through the state file, without PORT), reading events back, the redrive
// script, and editing the config while it runs.

import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceState } from '../../scripts/lib/instance';
import { freePort } from '../../scripts/lib/net';
import { data, emfErrors, total } from '../support/emf';
import { killLocal, type LocalService, ROOT, runScript, startLocal } from '../support/local-start';
import { pendingMarks, storedEvents } from '../support/pipeline';

afterAll(() => {
  killLocal();
});

async function occupy(server: Server): Promise<number> {
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return port;
}

describe('npm start with a port taken by another program', () => {
  it('says which port and which variable in one line, exits non-zero and starts nothing', async () => {
    // Another program that answers every request with 200 JSON, as a dev server would.
    const http = createHttpServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    });
    const tcp = createServer((socket) => socket.end());
    const httpPort = await occupy(http);
    const tcpPort = await occupy(tcp);
    try {
      const cases = [
        { env: { PORT: String(httpPort) }, variable: 'PORT', port: httpPort, what: 'the HTTP port' },
        {
          env: { PORT: String(await freePort()), LAMBDA_PORT: String(tcpPort) },
          variable: 'LAMBDA_PORT',
          port: tcpPort,
          what: "serverless-offline's Lambda port",
        },
        {
          env: { PORT: String(await freePort()), DYNAMODB_PORT: String(tcpPort) },
          variable: 'DYNAMODB_PORT',
          port: tcpPort,
          what: 'the embedded DynamoDB port',
        },
      ];
      for (const { env, variable, port, what } of cases) {
        const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-taken-'));
        const result = await runScript('start', [], { ...env, JUNOEVENT_DATA_DIR: dataDir });
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(
          `port ${port} (${what}) is already in use by another program: set ${variable} to a free port, for example ${variable}=${port + 100} npm start\n`,
        );
        expect(() => statSync(join(dataDir, 'instance.json'))).toThrow();
      }
    } finally {
      http.close();
      tcp.close();
    }
  }, 30_000);
});

describe('one running instance on a port chosen at run time', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-instance-'));
  const configFile = join(dataDir, 'junoevent.toml');
  const env = { JUNOEVENT_DATA_DIR: dataDir };
  const repositoryConfig = readFileSync(join(ROOT, 'junoevent.toml'), 'utf8');
  let service: LocalService;
  let state: InstanceState;
  let banner: string;

  beforeAll(async () => {
    writeFileSync(configFile, repositoryConfig);
    service = await startLocal({ port: await freePort(), dataDir, env: { JUNOEVENT_CONFIG: configFile } });
    state = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'));
    banner = service.output();
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('records itself in the state file of its data folder', () => {
    expect(state).toMatchObject({
      status: 'running',
      url: service.base,
      port: service.port,
      dynamodb_endpoint: service.dynamoEndpoint,
      data_dir: dataDir,
      config: configFile,
      secrets_file: join(dataDir, 'local-secrets.json'),
      api_token: service.secrets.apiToken,
      publishing: false,
    });
    expect(() => process.kill(state.pid, 0)).not.toThrow();
  });

  it('prints what a user needs once its own routes answer, and none of the internal lines', () => {
    for (const noise of ['missing_token', '"level":"WARN"', '/2015-03-31/', 'Function names exposed', 'Server ready']) {
      expect(banner).not.toContain(noise);
    }
    expect(banner).not.toContain('Scheduling [redrive]');
    expect(banner).not.toMatch(/GET +\/app\.(js|css)/);
    const lines = banner.split('\n').map((line) => line.trimEnd());
    expect(lines).toContain(`junoevent is running at ${service.base} (pid ${state.pid})`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  POST /webhooks/confgo      Standard Webhooks signature',
        '  POST /webhooks/devops      Standard Webhooks signature',
        '  POST /webhooks/grafana     X-Grafana-Alerting-Signature HMAC + X-Grafana-Alerting-Timestamp or Bearer token',
        '  POST /webhooks/git         X-Gitlab-Token or X-Hub-Signature-256',
        '  GET  /events               Authorization: Bearer <API token>',
        '  GET  /events/{id}          Authorization: Bearer <API token>',
        '  GET  /events/{id}/context  Authorization: Bearer <API token>',
        '  GET  /status               Authorization: Bearer <API token>',
        '  GET  /                     the events page: open it in a browser (it asks for the API token)',
        '  GET  /openapi.json         the API contract (OpenAPI 3.1)',
        `  API token:   ${service.secrets.apiToken}`,
        `  Secrets:     ${join(dataDir, 'local-secrets.json')}`,
        `  Config:      ${configFile} (saving it reloads the functions; an invalid edit is reported and not used)`,
        '  Publishing:  off (junoevent.rocketmq.enable = false): events are only stored',
        `  DynamoDB:    ${service.dynamoEndpoint}, data in ${join(dataDir, 'dynamodb')}`,
      ]),
    );
  });

  it('never echoes another Origin with credentials allowed', async () => {
    const requests: [string, string, Record<string, string>][] = [
      ['GET', '/events?app_name=user-svc', { authorization: `Bearer ${service.secrets.apiToken}` }],
      ['GET', '/', {}],
      ['POST', '/webhooks/confgo', { 'content-type': 'application/json' }],
      [
        'OPTIONS',
        '/events',
        { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      ],
    ];
    for (const [method, path, headers] of requests) {
      const response = await fetch(`${service.base}${path}`, {
        method,
        headers: { origin: 'https://evil.example', ...headers },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      await response.arrayBuffer();
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      expect(response.headers.get('access-control-allow-credentials'), `${method} ${path}`).toBeNull();
      if (method === 'OPTIONS')
        expect(response.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    }
  });

  it('keeps its data folder private: folders 0700, secret and state files 0600', () => {
    const mode = (path: string) => statSync(join(dataDir, path)).mode & 0o777;
    for (const folder of ['secrets', 'config-in-use', 'dynamodb']) expect(mode(folder), folder).toBe(0o700);
    const files = ['local-secrets.json', 'instance.json', join('config-in-use', 'junoevent.toml')];
    for (const name of readdirSync(join(dataDir, 'secrets'))) files.push(join('secrets', name));
    expect(files).toContain(join('secrets', 'replay.json'));
    for (const file of files) expect(mode(file), file).toBe(0o600);
  });

  it('runs the command its banner suggests, as printed', async () => {
    const tryLine = /Try: +(.+)$/m.exec(banner)?.[1] ?? '';
    const match = /^JUNOEVENT_DATA_DIR=(\S+) npm run send -- (.+)$/.exec(tryLine);
    expect(match?.[1]).toBe(dataDir);
    const result = await runScript('send', (match?.[2] ?? '').split(' '), { JUNOEVENT_DATA_DIR: match?.[1] });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^202 \{"events":\[\{"id":\d+,"operation":"confgo_file_publish"/);
    expect(result.stdout).toContain('"app_name": "user-svc"');
  });

  it('refuses a second npm start on the same data folder, names the running one and leaves it and dist/ alone', async () => {
    const built = statSync(join(ROOT, 'dist', 'confgo.js')).mtimeMs;
    for (const port of [service.port, await freePort()]) {
      const second = await runScript('start', [], {
        ...env,
        PORT: String(port),
        LAMBDA_PORT: String(await freePort()),
        DYNAMODB_PORT: String(await freePort()),
      });
      expect(second.code).toBe(1);
      expect(second.stdout).toBe('');
      expect(second.stderr).toBe(
        `junoevent is already running (pid ${state.pid}, ${service.base}) with data in ${dataDir}: use that one, or stop it first (Ctrl-C where it runs, or kill -INT ${state.pid}); for a second instance set JUNOEVENT_DATA_DIR and PORT\n`,
      );
    }
    expect(statSync(join(ROOT, 'dist', 'confgo.js')).mtimeMs).toBe(built);
    expect(JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'))).toEqual(state);
    const still = await fetch(`${service.base}/events?source=confgo`, {
      headers: { authorization: `Bearer ${service.secrets.apiToken}` },
    });
    expect(still.status).toBe(200);
  });

  const senders: { args: string[]; expected: Record<string, unknown>[] }[] = [
    {
      args: ['confgo', 'examples/confgo_file_publish.json'],
      expected: [{ source: 'confgo', operation: 'confgo_file_publish', app_name: 'user-svc', user_name: 'alice' }],
    },
    {
      args: ['devops', 'examples/app_node_restart.json'],
      expected: [{ source: 'devops', operation: 'app_node_restart', app_name: 'user-svc', host_name: 'host-a' }],
    },
    {
      args: ['gitlab', 'examples/gitlab_push.json'],
      expected: [{ source: 'git', operation: 'git_push', app_name: 'user-svc', user_name: 'alice', uid: 7 }],
    },
    {
      args: ['github', 'examples/github_push.json'],
      expected: [{ source: 'git', operation: 'git_push', app_name: 'order-svc', user_name: 'bob-li', uid: 5531907 }],
    },
    {
      args: ['grafana', 'examples/grafana_firing.json'],
      expected: [{ source: 'grafana', app_name: 'user-svc', env: 'prod', host_name: 'host-a:9100', format: 'grafana' }],
    },
    {
      args: ['alertmanager', 'examples/alertmanager_notification.json'],
      expected: [
        { source: 'grafana', app_name: 'order-svc', host_name: 'host-c:9100', format: 'alertmanager' },
        { source: 'grafana', app_name: 'order-svc', host_name: 'host-d:9100', format: 'alertmanager' },
      ],
    },
    {
      args: ['grafana-legacy', 'examples/grafana_legacy_alerting.json'],
      expected: [{ source: 'grafana', app_name: 'user-svc', host_name: 'host-b', format: 'grafana-legacy' }],
    },
  ];
  const sentIds = new Map<string, number[]>();

  it.each(senders)(
    'npm run send -- $args.0 … --read: 202 without PORT, and prints the stored events',
    async ({ args, expected }) => {
      const result = await runScript('send', [...args, '--read'], env);
      expect(result.code).toBe(0);
      const [first = '', ...rest] = result.stdout.split('\n');
      expect(first.startsWith('202 ')).toBe(true);
      const answer = JSON.parse(first.slice(4)) as { events: { id: number; duplicate: boolean }[] };
      const ids = answer.events.map((event) => event.id);
      expect(answer.events.map((event) => event.duplicate)).toEqual(expected.map(() => false));
      sentIds.set(args[0] ?? '', ids);

      // Each id: a "GET <url> → 200" line, then the record as the read API returns it.
      const printed = rest.join('\n').split(/^GET (\S+) → (\d+)$/m);
      expect(printed[0]).toBe('');
      const auth = { authorization: `Bearer ${service.secrets.apiToken}` };
      for (const [index, id] of ids.entries()) {
        const [url, status, body] = printed.slice(1 + index * 3, 4 + index * 3);
        expect(url).toBe(`${service.base}/events/${id}`);
        expect(status).toBe('200');
        const record = JSON.parse(body ?? '') as Record<string, unknown>;
        const stored = await fetch(`${service.base}/events/${id}`, { headers: auth });
        expect(record).toEqual(await stored.json());
        const { format, ...fields } = expected[index] ?? {};
        expect(record).toMatchObject({ id, ...fields });
        if (format !== undefined) expect(JSON.parse(String(record.metadata))).toMatchObject({ format });
      }
      // Alertmanager and legacy Grafana use the bearer token of the local grafana secret: no note on
      // credentials. Example alerts are moved to now, and send says so; a legacy alert has no time.
      const notes = result.stderr.split('\n').filter(Boolean);
      const sender = args[0] ?? '';
      if (sender === 'grafana' || sender === 'alertmanager') {
        expect(notes).toEqual([expect.stringMatching(/^note: the alerts' startsAt and endsAt were moved forward /)]);
        const sentAt = Math.floor(Date.now() / 1000);
        for (const id of ids) {
          const stored = await fetch(`${service.base}/events/${id}`, { headers: auth });
          const { create_time } = (await stored.json()) as { create_time: number };
          // Stored at about the time it was sent: the file's newest time is now, and its others as near as in the file.
          expect(Math.abs(sentAt - create_time)).toBeLessThan(5 * 60);
        }
      } else if (sender === 'grafana-legacy') {
        expect(notes).toEqual([
          'note: a legacy Grafana alert carries no time or id: the same body again within 10 minutes is a redelivery',
        ]);
      } else {
        expect(notes).toEqual([]);
      }
    },
  );

  it("puts EMF documents the schema accepts in the functions' logs, one event of each sender counted", () => {
    const documents = service
      .output()
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
    expect(documents.flatMap(emfErrors)).toEqual([]);
    const all = documents.flatMap(data);
    for (const source of ['confgo', 'devops', 'git', 'grafana']) {
      expect(total(all, 'Events', { source, outcome: 'stored' })).toBeGreaterThanOrEqual(1);
      expect(total(all, 'Requests', { function: source, outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    }
  });

  it('answers an authentic GitHub ping 200 and says there is nothing to read back', async () => {
    const result = await runScript('send', ['github', 'examples/github_push.json', '--event', 'ping', '--read'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      '200 {"events":[],"ignored":"ping"}\nnothing was stored, so nothing to read back (ignored: ping)\n',
    );
  });

  it('--curl prints a command that sends the same request', async () => {
    const result = await runScript('send', ['gitlab', 'examples/gitlab_push.json', '--curl'], env);
    expect(result.code).toBe(0);
    const command = result.stdout;
    const url = /^curl -sS -X POST '([^']+)'/.exec(command)?.[1];
    expect(url).toBe(`${service.base}/webhooks/git`);
    const headers = Object.fromEntries(
      [...command.matchAll(/-H '([^:]+): ([^']*)'/g)].map(([, name = '', value = '']) => [name, value]),
    );
    expect(headers).toMatchObject({
      'X-Gitlab-Event': 'Push Hook',
      'X-Gitlab-Token': service.secrets.secrets.git,
    });
    expect(command.trimEnd().endsWith("--data-binary @'examples/gitlab_push.json'")).toBe(true);
    const response = await fetch(url ?? '', {
      method: 'POST',
      headers,
      body: readFileSync(join(ROOT, 'examples/gitlab_push.json')),
    });
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { events: { id: number; duplicate: boolean }[] };
    expect(answer.events[0]?.duplicate).toBe(false);
  });

  it('npm run redrive finds the instance without PORT', async () => {
    const publishing = join(dataDir, 'publishing.toml');
    writeFileSync(
      publishing,
      repositoryConfig
        .replace(/^enable = false.*$/m, 'enable = true')
        .replace('"127.0.0.1:9876"', `"127.0.0.1:${await freePort()}"`),
    );
    // The pending marks before and after the run: what the redrive published is what it cleared.
    const pendingIn = async () => (await pendingMarks(service.dynamoEndpoint)).length;
    expect((await storedEvents(service.dynamoEndpoint)).length).toBeGreaterThan(0);
    const before = await pendingIn();
    const result = await runScript('redrive', [], { ...env, JUNOEVENT_CONFIG: publishing });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const after = await pendingIn();
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      published: before - after,
      failed: 0,
      brokerDown: false,
      backlog: after,
      backlogCapped: false,
      oldestPendingAgeSeconds: null,
    });
    // Publishing was off while the events were stored: none was pending.
    expect(before).toBe(0);
  });

  it('keeps serving the loaded config through an invalid edit, and reloads a valid one', async () => {
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 20_000;
      while (!service.output().includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" in:\n${service.output()}`);
        await new Promise((done) => setTimeout(done, 50));
      }
    };
    writeFileSync(configFile, `${repositoryConfig}\nthis is not = = toml\n`);
    await waitFor(`${configFile} changed but cannot be used: junoevent config ${configFile} is not valid TOML at line`);
    await waitFor('the functions keep the version loaded at');
    const stillServed = await runScript('send', ['devops', 'examples/app_node_restart.json'], env);
    expect(stillServed.code).toBe(0);
    expect(stillServed.stdout).toMatch(/^202 /);

    // Valid again, now with the grafana route's HMAC signature off (no signature header configured
    // for it to read): Alertmanager's bearer token, from the grafana secret, still works.
    writeFileSync(
      configFile,
      repositoryConfig.replace(/^timestampHeader = .*$/m, (line) => `${line}\nsignatureHeader = "X-Not-Sent"`),
    );
    await waitFor(`${configFile} changed: restarting the functions with it`);
    await waitFor(`${configFile} reloaded at`);
    const curl = await runScript('send', ['alertmanager', 'examples/alertmanager_notification.json', '--curl'], env);
    expect(curl.stdout).toContain(`-H 'Authorization: Bearer ${service.secrets.secrets.grafanaToken}'`);
    expect(curl.stdout).not.toContain('X-Grafana-Alerting-Signature');
    // With --id the alerts keep the file's times: sent twice, the same alerts, recorded once.
    const send = () =>
      runScript('send', ['alertmanager', 'examples/alertmanager_notification.json', '--id', 'am-reload'], env);
    const bearer = await send();
    expect(bearer.stderr).toBe('note: with --id the alerts keep the times the file gives\n');
    expect(bearer.code).toBe(0);
    const again = await send();
    const answers = [bearer, again].map(
      (run) => JSON.parse(run.stdout.slice(4)) as { events: { id: number; duplicate: boolean }[] },
    );
    expect(answers[0]?.events.map((event) => event.duplicate)).toEqual([false, false]);
    expect(answers[1]?.events).toEqual(answers[0]?.events.map((event) => ({ ...event, duplicate: true })));
    // And different alerts from the ones sent moved to now.
    expect(answers[0]?.events.map((event) => event.id)).not.toEqual(sentIds.get('alertmanager'));
    const wrongToken = await fetch(`${service.base}/webhooks/grafana`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-token' },
      body: readFileSync(join(ROOT, 'examples/alertmanager_notification.json')),
    });
    expect(wrongToken.status).toBe(401);
  }, 60_000);
});
