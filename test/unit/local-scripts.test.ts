// The pieces of the local scripts that need no running instance: which serverless-offline lines
// npm start shows, the headers npm run send makes for each sender (checked with the functions' own
// verification), how the scripts find the instance, the state file, the broker check and the Node
// versions.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerAnswers, publishingLine } from '../../scripts/lib/banner';
import { claimState, type InstanceState, locateInstance, readState, releaseState } from '../../scripts/lib/instance';
import {
  functionEnvironment,
  type LocalSettings,
  localSettings,
  replacedCredentials,
  supportedNode,
  withLocalSecrets,
  writeFunctionSecrets,
} from '../../scripts/lib/local';
import { freePort } from '../../scripts/lib/net';
import { OfflineOutput } from '../../scripts/lib/offline-output';
import { githubEvent, gitlabEvent, type Outgoing, prepare } from '../../scripts/lib/senders';
import { writeStageSecrets } from '../../scripts/lib/stage-secrets';
import { applySecret, parseConfig } from '../../shared/config/config';
import { parseAuthorization } from '../../shared/http/request';
import { verifyGitHubSignature } from '../../shared/sources/git/auth';
import { verifyGrafanaSignature } from '../../shared/sources/grafana/auth';
import { standardWebhookHeaders, verifyStandardWebhook } from '../../shared/sources/standard-webhooks';
import { ROOT } from '../support/local-start';

// serverless-offline 14's startup, a scheduled redrive and a request, as it prints them (both streams).
const STARTUP = [
  'Starting Offline at stage dev (us-east-1)',
  'Offline [http for lambda] listening on http://127.0.0.1:3782',
  'Function names exposed for local invocation by aws-sdk:',
  '   * confgo: junoevent-dev-confgo',
  '   * events: junoevent-dev-events',
  'Scheduling [redrive] cron: [*/1 * * * *]',
  '',
  ' ┌───────────────────────────────────────────────────────────────────────────┐',
  ' │   POST | http://127.0.0.1:3780/webhooks/confgo                            │',
  ' │   POST | http://127.0.0.1:3780/2015-03-31/functions/confgo/invocations    │',
  ' └───────────────────────────────────────────────────────────────────────────┘',
  'Server ready: http://127.0.0.1:3780 🚀',
  'GET /events (λ: events)',
  '{"level":"INFO","message":"request handled","service":"junoevent","function":"events","method":"GET","path":"/events","status":200}',
  '(λ: events) RequestId: 9cbcda3c-4ab7-4291-a17a-281ef5f01c93  Duration: 182.13 ms  Billed Duration: 183 ms',
];
const REDRIVE = [
  '(λ: redrive) RequestId: f182cd88-e2e7-4122-8064-e1851a0705d4  Duration: 166.30 ms  Billed Duration: 167 ms',
  'Successfully invoked scheduled function: [redrive]',
  '{"level":"INFO","message":"redrive skipped: junoevent.rocketmq.enable is false","timestamp":"2026-12-02T00:01:00.186Z","service":"junoevent","sampling_rate":0}',
];
const REQUEST = [
  'GET /events/377251098525772 (λ: events)',
  '{"level":"INFO","message":"request handled","service":"junoevent","function":"events","method":"GET","path":"/events/377251098525772","status":200}',
  '(λ: events) RequestId: 5cd0a198-0529-4478-ba1b-e0302cf61451  Duration: 19.16 ms  Billed Duration: 20 ms',
];

describe("serverless-offline's output under npm start", () => {
  it('keeps its first line and the requests, not the route box, internal routes, readiness check or idle redrive', () => {
    const output = new OfflineOutput({ publishing: false });
    expect(STARTUP.filter((line) => output.keep(line))).toEqual(['Starting Offline at stage dev (us-east-1)']);
    output.ready = true;
    expect(REDRIVE.filter((line) => output.keep(line))).toEqual([]);
    expect(REQUEST.filter((line) => output.keep(line))).toEqual(REQUEST);
  });

  it('shows the scheduled redrive when publishing is on', () => {
    const output = new OfflineOutput({ publishing: true });
    expect(STARTUP.filter((line) => output.keep(line))).toEqual([
      'Starting Offline at stage dev (us-east-1)',
      'Scheduling [redrive] cron: [*/1 * * * *]',
    ]);
    output.ready = true;
    expect(REDRIVE.filter((line) => output.keep(line))).toEqual(REDRIVE);
  });
});

const SECRETS = {
  JUNOEVENT_API_TOKEN: 'local-api-token-0123456789',
  JUNOEVENT_CONFGO_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  JUNOEVENT_DEVOPS_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  JUNOEVENT_GRAFANA_SECRET: 'grafana-local-secret-0123456789',
  JUNOEVENT_GRAFANA_TOKEN: 'grafana-local-token-0123456789',
  JUNOEVENT_GIT_SECRET: 'git-local-secret-0123456789',
};
/** What npm start generates: each function's secret comes from these. */
const SETTINGS = {
  port: 3000,
  lambdaPort: 3002,
  dynamoPort: 4000,
  table: 'appevent',
  retention: '0',
  dataDir: '/nonexistent/.data',
  secretsFile: '/nonexistent/.data/local-secrets.json',
  apiToken: SECRETS.JUNOEVENT_API_TOKEN,
  secrets: {
    confgo: SECRETS.JUNOEVENT_CONFGO_SECRET,
    devops: SECRETS.JUNOEVENT_DEVOPS_SECRET,
    grafana: SECRETS.JUNOEVENT_GRAFANA_SECRET,
    grafanaToken: SECRETS.JUNOEVENT_GRAFANA_TOKEN,
    git: SECRETS.JUNOEVENT_GIT_SECRET,
  },
};
const REPOSITORY_CONFIG = readFileSync(join(ROOT, 'junoevent.toml'), 'utf8');
const parsed = (text: string) =>
  parseConfig(text, { file: 'junoevent.toml', env: functionEnvironment(SETTINGS as LocalSettings) });
/** The config as the functions of `npm start` see it: each with its own local secret applied. */
const config = (text = REPOSITORY_CONFIG) => withLocalSecrets(parsed(text), SETTINGS as LocalSettings);
const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8');
const now = new Date();
const nowSeconds = Math.floor(now.getTime() / 1000);
const options = (file: string) => ({ file, now, configName: 'junoevent.toml' });

describe('npm run send: the headers of each sender', () => {
  it('confgo and devops: a Standard Webhooks signature the functions accept', () => {
    for (const [sender, secret] of [
      ['confgo', SECRETS.JUNOEVENT_CONFGO_SECRET],
      ['devops', SECRETS.JUNOEVENT_DEVOPS_SECRET],
    ] as const) {
      const body = example('confgo_file_publish.json');
      const sent = prepare(sender, body, config(), { ...options('x.json'), id: 'msg_fixed' });
      expect(sent.route).toBe(`/webhooks/${sender}`);
      expect(verifyStandardWebhook([secret], standardWebhookHeaders(lower(sent.headers)), body, nowSeconds)).toEqual({
        accepted: true,
        deliveryKey: 'msg_fixed',
      });
    }
  });

  it('gitlab: the secret token, the event from object_kind or --event, a fresh Idempotency-Key', () => {
    const body = example('gitlab_push.json');
    const sent = prepare('gitlab', body, config(), options('examples/gitlab_push.json'));
    expect(sent).toMatchObject({
      route: '/webhooks/git',
      headers: { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': SECRETS.JUNOEVENT_GIT_SECRET },
      notes: [],
    });
    expect(sent.headers['Idempotency-Key']).not.toBe(
      prepare('gitlab', body, config(), options('x')).headers['Idempotency-Key'],
    );
    expect(gitlabEvent(undefined, '{"object_kind":"build"}')).toBe('Job Hook');
    expect(gitlabEvent(undefined, '{"object_kind":"tag_push"}')).toBe('Tag Push Hook');
    expect(gitlabEvent('merge_request', body)).toBe('Merge Request Hook');
    expect(gitlabEvent('Note Hook', body)).toBe('Note Hook');
    expect(() => gitlabEvent(undefined, '{"ref":"main"}')).toThrow('give --event');
  });

  it('github: X-Hub-Signature-256 over the body, the event from --event or the file name', () => {
    const body = example('github_push.json');
    const sent = prepare('github', body, config(), options('examples/github_push.json'));
    expect(sent.headers['X-GitHub-Event']).toBe('push');
    expect(sent.headers['X-GitHub-Delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      verifyGitHubSignature([SECRETS.JUNOEVENT_GIT_SECRET], sent.headers['X-Hub-Signature-256'], body),
    ).toMatchObject({ accepted: true });
    expect(githubEvent(undefined, 'test/fixtures/git/github_pull_request_opened.json')).toBe('pull_request');
    expect(githubEvent(undefined, 'github-workflow-run-completed.json')).toBe('workflow_run');
    expect(githubEvent('release', 'anything.json')).toBe('release');
    expect(() => githubEvent(undefined, 'examples/main-branch.json')).toThrow('give --event');
  });

  const grafanaHeaders = (sent: Outgoing) => {
    const headers = lower(sent.headers);
    const timestamp = headers['x-grafana-alerting-timestamp'];
    expect(timestamp).toBe(String(nowSeconds));
    return { signature: headers['x-grafana-alerting-signature'] ?? '', timestamp };
  };

  it('grafana: the HMAC signature with the timestamp the config names', () => {
    const body = example('grafana_firing.json');
    const sent = prepare('grafana', body, config(), options('x.json'));
    const { signature, timestamp } = grafanaHeaders(sent);
    expect(
      verifyGrafanaSignature(
        [SECRETS.JUNOEVENT_GRAFANA_SECRET],
        signature,
        { header: 'x-grafana-alerting-timestamp', value: timestamp },
        body,
        nowSeconds,
      ),
    ).toMatchObject({ accepted: true });
  });

  it('alertmanager and legacy grafana: Bearer or Basic when configured, else the HMAC signature and a note', () => {
    const body = example('alertmanager_notification.json');
    const withToken = config();
    for (const sender of ['alertmanager', 'grafana-legacy'] as const) {
      const bearer = prepare(sender, body, withToken, options('x.json'));
      expect(bearer.notes).toEqual([]);
      expect(parseAuthorization(bearer.headers.Authorization)).toEqual({
        scheme: 'bearer',
        token: SECRETS.JUNOEVENT_GRAFANA_TOKEN,
      });
    }
    const withBasic = applySecret(
      parsed(REPOSITORY_CONFIG),
      'grafana',
      { secret: SECRETS.JUNOEVENT_GRAFANA_SECRET, username: 'am', password: 'pw-0123' },
      'a grafana secret with Basic credentials',
    );
    expect(
      parseAuthorization(prepare('alertmanager', body, withBasic, options('x.json')).headers.Authorization),
    ).toEqual({
      scheme: 'basic',
      username: 'am',
      password: 'pw-0123',
    });
    const hmacOnly = applySecret(
      parsed(REPOSITORY_CONFIG),
      'grafana',
      { secret: SECRETS.JUNOEVENT_GRAFANA_SECRET },
      'a grafana secret with only the HMAC secret',
    );
    const fallback = prepare('alertmanager', body, hmacOnly, options('x.json'));
    expect(fallback.headers.Authorization).toBeUndefined();
    expect(fallback.notes[0]).toContain('junoevent.toml sets neither under [junoevent.sources.grafana]');
    const { signature, timestamp } = grafanaHeaders(fallback);
    expect(
      verifyGrafanaSignature(
        [SECRETS.JUNOEVENT_GRAFANA_SECRET],
        signature,
        { header: 'x-grafana-alerting-timestamp', value: timestamp },
        body,
        nowSeconds,
      ),
    ).toMatchObject({ accepted: true });
  });

  it('says which section is missing rather than sending a request every function refuses', () => {
    const withoutGit = config(REPOSITORY_CONFIG.slice(0, REPOSITORY_CONFIG.indexOf('[junoevent.sources.git]')));
    expect(() => prepare('github', '{}', withoutGit, options('github_push.json'))).toThrow(
      'junoevent.toml has no [junoevent.sources.git] section',
    );
  });
});

function stateFor(dataDir: string, pid: number, port: number): InstanceState {
  return {
    pid,
    status: 'running',
    url: `http://127.0.0.1:${port}`,
    port,
    lambda_port: port + 2,
    dynamodb_endpoint: `http://127.0.0.1:${port + 1000}`,
    data_dir: dataDir,
    config: join(ROOT, 'junoevent.toml'),
    config_loaded: join(dataDir, 'config-in-use', 'junoevent.toml'),
    secrets_file: join(dataDir, 'local-secrets.json'),
    api_token: null,
    publishing: false,
    started_at: new Date().toISOString(),
  };
}

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('the state file and finding the instance', () => {
  it('one instance per data folder: a live one is returned, a dead or stopped one is replaced', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-state-'));
    const live = stateFor(dataDir, process.ppid, 3100);
    expect(claimState(live)).toBeUndefined();
    const mine = stateFor(dataDir, process.pid, 3200);
    expect(claimState(mine)).toEqual(live);

    writeFileSync(join(dataDir, 'instance.json'), JSON.stringify(stateFor(dataDir, deadPid(), 3100)));
    expect(claimState(mine)).toBeUndefined();
    expect(readState(dataDir)).toEqual(mine);
    releaseState(dataDir, process.pid);
    expect(readState(dataDir)).toMatchObject({ pid: process.pid, status: 'stopped' });
    expect(claimState(stateFor(dataDir, process.ppid, 3300))).toBeUndefined();
  });

  it('PORT first, then the state file of the data folder, then the default port', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junoevent-locate-'));
    expect(locateInstance({ JUNOEVENT_DATA_DIR: dataDir })).toMatchObject({
      url: 'http://127.0.0.1:3000',
      dynamoEndpoint: 'http://127.0.0.1:4000',
      hint: expect.stringContaining(`no instance is recorded in ${join(dataDir, 'instance.json')}`),
    });
    writeFileSync(join(dataDir, 'instance.json'), JSON.stringify(stateFor(dataDir, process.pid, 3456)));
    expect(locateInstance({ JUNOEVENT_DATA_DIR: dataDir })).toMatchObject({
      url: 'http://127.0.0.1:3456',
      dynamoEndpoint: 'http://127.0.0.1:4456',
      configLoaded: join(dataDir, 'config-in-use', 'junoevent.toml'),
    });
    expect(locateInstance({ JUNOEVENT_DATA_DIR: dataDir, PORT: '3500', DYNAMODB_PORT: '3600' })).toMatchObject({
      url: 'http://127.0.0.1:3500',
      dynamoEndpoint: 'http://127.0.0.1:3600',
      configLoaded: undefined,
      hint: expect.stringContaining('PORT=3500 is set'),
    });
  });
});

describe('the banner', () => {
  it('says whether publishing is on, to where, and whether the broker answers', async () => {
    expect(publishingLine(config(), await brokerAnswers(config()))).toBe(
      'off (junoevent.rocketmq.enable = false): events are only stored',
    );
    const broker = createServer((socket) => socket.end());
    const port = await freePort();
    await new Promise<void>((done) => broker.listen(port, '127.0.0.1', done));
    const closed = await freePort();
    try {
      const publishing = (addr: number) =>
        config(
          REPOSITORY_CONFIG.replace(/^enable = false.*$/m, 'enable = true').replace(
            '"127.0.0.1:9876"',
            `"127.0.0.1:${addr}"`,
          ),
        );
      expect(publishingLine(publishing(port), await brokerAnswers(publishing(port)))).toBe(
        `on, topic juno_test_job via 127.0.0.1:${port} (the broker answers)`,
      );
      expect(publishingLine(publishing(closed), await brokerAnswers(publishing(closed)))).toBe(
        `on, topic juno_test_job via 127.0.0.1:${closed}: nothing answers there; events are stored and stay pending until the broker is up (npm run broker starts one)`,
      );
    } finally {
      broker.close();
    }
  });
});

describe('the documented publishing config under npm start', () => {
  it('examples/junoevent.rocketmq.toml loads with no variable set by the user, holding the local credentials', () => {
    const text = example('junoevent.rocketmq.toml');
    const fromFile = parseConfig(text, {
      file: 'examples/junoevent.rocketmq.toml',
      env: functionEnvironment(SETTINGS as LocalSettings),
    });
    const served = withLocalSecrets(fromFile, SETTINGS as LocalSettings);
    expect(served.rocketmq.enable).toBe(true);
    expect(served.api.token).toBe(SECRETS.JUNOEVENT_API_TOKEN);
    expect(served.sources.confgo?.secret).toBe(SECRETS.JUNOEVENT_CONFGO_SECRET);
    expect(served.sources.grafana?.secret).toBe(SECRETS.JUNOEVENT_GRAFANA_SECRET);
    expect(served.sources.git?.secret).toBe(SECRETS.JUNOEVENT_GIT_SECRET);
    // Its variables hold the local values: nothing in it is replaced, so npm start has nothing to say.
    expect(replacedCredentials(fromFile, served)).toEqual([]);
  });

  it('names each credential written in the config file that the local secrets replace', () => {
    const text = REPOSITORY_CONFIG.replace(
      /^# \[junoevent\.api\].*$/m,
      '[junoevent.api]\ntoken = "written-in-the-file-0123456789"',
    ).replace(
      /^\[junoevent\.sources\.confgo\].*$/m,
      '[junoevent.sources.confgo]\nsecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx"',
    );
    const fromFile = parsed(text);
    expect(fromFile.api.token).toBe('written-in-the-file-0123456789');
    expect(replacedCredentials(fromFile, config(text))).toEqual([
      'junoevent.api.token',
      'junoevent.sources.confgo.secret',
    ]);
    expect(replacedCredentials(parsed(REPOSITORY_CONFIG), config())).toEqual([]);
  });
});

describe('Node versions', () => {
  it('accepts what package.json "engines" says: ^20.19 || >=22.12', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines).toEqual({
      node: '^20.19 || >=22.12',
    });
    for (const version of ['v20.19.0', 'v20.20.2', 'v22.12.0', 'v23.0.0', 'v24.4.1']) {
      expect(supportedNode(version)).toBe(true);
    }
    for (const version of ['v18.20.0', 'v20.18.3', 'v21.7.0', 'v22.11.0']) {
      expect(supportedNode(version)).toBe(false);
    }
  });
});

describe('npm run secrets', () => {
  const tsx = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
  const secretsScript = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [tsx, join(ROOT, 'scripts/secrets.ts'), ...args], { cwd, encoding: 'utf8' });

  it('refuses a stage that is not a plain name, writing nothing anywhere', () => {
    const base = mkdtempSync(join(tmpdir(), 'junoevent-secrets-'));
    const cwd = join(base, 'a', 'b');
    mkdirSync(cwd, { recursive: true });
    for (const stage of ['../..', '..', 'prod/x', 'a b', '', '-x', "prod'"]) {
      expect(() => writeStageSecrets({ stage, cwd })).toThrow('--stage must be a plain name');
    }
    expect(() => writeStageSecrets({ stage: 'prod', region: 'eu-west-1; rm -rf ~', cwd })).toThrow(
      '--region must be an AWS region name',
    );
    const result = secretsScript(cwd, '--stage', '../..');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--stage must be a plain name');
    expect(readdirSync(base)).toEqual(['a']);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('writes a private folder of private files, and prints commands a shell reads back word for word', () => {
    const cwd = mkdtempSync(join(tmpdir(), "junoevent secrets 'quoted' $HOME "));
    const { out, commands } = writeStageSecrets({ stage: 'prod', region: 'eu-west-1', cwd });
    expect(out).toBe(join(cwd, '.secrets', 'prod'));
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readdirSync(out).sort()).toEqual(
      ['confgo', 'devops', 'events', 'git', 'grafana', 'replay'].map((name) => `${name}.json`),
    );
    for (const file of readdirSync(out)) expect(statSync(join(out, file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(out, 'replay.json'), 'utf8')).resumeKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [confgo] = commands;
    // The shell splits the printed command into exactly the words meant, $HOME and quotes included.
    const words = spawnSync('sh', ['-c', `printf '%s\\n' ${confgo?.replace(/^aws /, '')}`], { encoding: 'utf8' });
    expect(words.stdout.trimEnd().split('\n')).toEqual([
      'secretsmanager',
      'create-secret',
      '--region',
      'eu-west-1',
      '--name',
      'junoevent/prod/confgo',
      '--secret-string',
      `file://${join(out, 'confgo.json')}`,
    ]);
  });

  it('never replaces secrets already written, unless --force', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'junoevent-secrets-'));
    const { out } = writeStageSecrets({ stage: 'dev', cwd });
    const before = readFileSync(join(out, 'confgo.json'), 'utf8');
    expect(() => writeStageSecrets({ stage: 'dev', cwd })).toThrow('Give --force to replace them');
    const again = secretsScript(cwd, '--stage', 'dev');
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(readFileSync(join(out, 'confgo.json'), 'utf8')).toBe(before);
    chmodSync(join(out, 'confgo.json'), 0o644);
    const forced = secretsScript(cwd, '--stage', 'dev', '--force');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('--name junoevent/dev/confgo');
    expect(readFileSync(join(out, 'confgo.json'), 'utf8')).not.toBe(before);
    expect(statSync(join(out, 'confgo.json')).mode & 0o777).toBe(0o600);
  });
});

describe('the local data folder', () => {
  it('is created private, with private secret files, and a secret file made wider is made private again', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'junoevent-data-')), 'new', 'data');
    const settings = localSettings({ JUNOEVENT_DATA_DIR: dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(settings.secretsFile).mode & 0o777).toBe(0o600);
    mkdirSync(join(dataDir, 'secrets'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'secrets', 'confgo.json'), '{}', { mode: 0o644 });
    writeFunctionSecrets(settings);
    expect(statSync(join(dataDir, 'secrets')).mode & 0o777).toBe(0o700);
    const files = readdirSync(join(dataDir, 'secrets'));
    expect(files).toContain('replay.json');
    for (const file of files) expect(statSync(join(dataDir, 'secrets', file)).mode & 0o777).toBe(0o600);
  });
});
