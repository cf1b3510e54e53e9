import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, requireSource } from '../../shared/config/config';
import { parseDuration } from '../../shared/config/duration';
import { ConfigError } from '../../shared/errors';
import { SOURCES } from '../../shared/event/catalog';
import { SECRETS, writeConfig } from '../support/config';

const FILE = '/etc/junoevent/junoevent.toml';
const local = { file: FILE, env: {} };
const deployed = { file: FILE, env: { AWS_LAMBDA_FUNCTION_NAME: 'junoevent-prod-confgo' } };

function parse(text: string, options: { file: string; env: NodeJS.ProcessEnv } = local) {
  return parseConfig(text, options);
}

/** The error of loading `text` as a function does: the file, then each source section it uses. */
function errorOf(text: string, options: { file: string; env: NodeJS.ProcessEnv } = local): string {
  try {
    const config = parse(text, options);
    for (const source of SOURCES) if (config.sources[source] !== undefined) requireSource(config, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const SPEC_BLOCK = `
[junoevent.rocketmq]
enable = false               # false: events are only written to the table
addr = ["127.0.0.1:9876"]
topic = "juno_test_job"
group = "juno_devops_go"
retry = 3
dialTimeout = "3s"
`;

describe('config', () => {
  it('accepts the product spec rocketmq block verbatim, with its meaning', () => {
    const config = parse(`[junoevent]\n${SPEC_BLOCK}`);
    expect(config.rocketmq).toEqual({
      enable: false,
      addr: ['127.0.0.1:9876'],
      topic: 'juno_test_job',
      group: 'juno_devops_go',
      retry: 3,
      dialTimeoutMs: 3000,
    });
  });

  it('applies defaults: table appevent, 1 MiB bodies, no sources, rocketmq off', () => {
    const config = parse('[junoevent]\n');
    expect(config.table).toBe('appevent');
    expect(config.maxBodyBytes).toBe(1024 * 1024);
    expect(config.sources).toEqual({});
    expect(config.rocketmq.enable).toBe(false);
    expect(config.api.token).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads ${NAME} from the environment in any string value', () => {
    const config = parse(
      '[junoevent]\ntable = "${TABLE}"\n[junoevent.sources.confgo]\nsecret = "${CONFGO}"\n[junoevent.api]\ntoken = "tok-${SUFFIX}-0123456789"\n',
      { file: FILE, env: { TABLE: 'events-prod', CONFGO: SECRETS.confgo, SUFFIX: 'abc' } },
    );
    expect(config.table).toBe('events-prod');
    expect(config.sources.confgo?.secret).toBe(SECRETS.confgo);
    expect(config.api.token).toBe('tok-abc-0123456789');
  });

  it('names the file, the key and the variable when ${NAME} is not set', () => {
    expect(errorOf('[junoevent.api]\ntoken = "${NOPE}"\n')).toBe(
      `junoevent config ${FILE}: junoevent.api.token must be set: it reads environment variable NOPE, which is not set`,
    );
  });

  it.each([
    ['retry = 3.5', 'junoevent.rocketmq.retry must be a whole number from 0 to 10 (got a number with a fraction)'],
    ['retry = -1', 'junoevent.rocketmq.retry must be a whole number from 0 to 10 (got a whole number)'],
    [
      'dialTimeout = "3 seconds"',
      'junoevent.rocketmq.dialTimeout must be a duration such as "500ms", "3s" or "1m" (got a string of 9 characters)',
    ],
    ['dialTimeout = 3', 'junoevent.rocketmq.dialTimeout must be a string (got a whole number)'],
    ['addr = "127.0.0.1:9876"', 'junoevent.rocketmq.addr must be an array of strings (got a string of 14 characters)'],
    ['enable = "yes"', 'junoevent.rocketmq.enable must be true or false (got a string of 3 characters)'],
    ['topik = "x"', 'junoevent.rocketmq.topik must be absent: it is not a known field'],
  ])('rejects rocketmq %s with a message naming key and form', (line, message) => {
    expect(errorOf(`[junoevent.rocketmq]\n${line}\n`)).toContain(`junoevent config ${FILE}: ${message}`);
  });

  it('accepts enable = true with a Proxy endpoint, a topic and attempts that fit the function', () => {
    const config = parse(
      '[junoevent.rocketmq]\nenable = true\naddr = ["127.0.0.1:8081"]\ntopic = "juno_test_job"\nretry = 3\ndialTimeout = "3s"\n',
    );
    expect(config.rocketmq).toMatchObject({ enable: true, addr: ['127.0.0.1:8081'], retry: 3, dialTimeoutMs: 3000 });
  });

  it('explains that a NameServer address (port 9876) cannot be used, and what to put instead', () => {
    const message = errorOf('[junoevent.rocketmq]\nenable = true\naddr = ["10.0.0.5:9876"]\ntopic = "t"\n');
    expect(message).toContain('junoevent.rocketmq.addr.0 must be a RocketMQ 5 Proxy gRPC endpoint');
    expect(message).toContain('10.0.0.5:9876 is a NameServer port');
    expect(message).toContain('such as "10.0.0.5:8081"');
  });

  it('rejects attempts × dialTimeout that cannot fit the function timeout, with the numbers', () => {
    const message = errorOf(
      '[junoevent.rocketmq]\nenable = true\naddr = ["127.0.0.1:8081"]\ntopic = "t"\nretry = 4\ndialTimeout = "3s"\n',
      {
        file: FILE,
        env: { JUNOEVENT_FUNCTION_TIMEOUT: '15' },
      },
    );
    expect(message).toContain('(retry 4 + 1) attempts × dialTimeout 3s = 15 s, but the function times out after 15 s');
  });

  it.each([
    ['addr = []\ntopic = "t"', 'junoevent.rocketmq.addr must be one or more RocketMQ 5 Proxy endpoints'],
    ['addr = ["127.0.0.1"]\ntopic = "t"', 'junoevent.rocketmq.addr.0 must be host:port'],
    ['addr = ["127.0.0.1:8081"]\ntopic = ""', 'junoevent.rocketmq.topic must be a RocketMQ topic name'],
    [
      'addr = ["127.0.0.1:8081"]\ntopic = "t"\ndialTimeout = "500ms"',
      'junoevent.rocketmq.dialTimeout must be at least "1s"',
    ],
  ])('with enable = true, rejects %s', (lines, message) => {
    expect(errorOf(`[junoevent.rocketmq]\nenable = true\n${lines}\n`)).toContain(message);
  });

  it('refuses a source without a secret unless a local config allows unsigned requests', () => {
    expect(errorOf('[junoevent.sources.confgo]\n')).toContain(
      'junoevent.sources.confgo.secret must be set (the Standard Webhooks secret), or allowUnsigned = true in a local config',
    );
    expect(parse('[junoevent.sources.confgo]\nallowUnsigned = true\n').sources.confgo).toEqual({
      secret: undefined,
      previous: {},
      allowUnsigned: true,
      maxBodyBytes: 1024 * 1024,
    });
  });

  it('limits bodies per source: 1 MiB for envelopes, the largest limit for alerts and git, overridable', () => {
    const both = '[junoevent.sources.confgo]\nallowUnsigned = true\n[junoevent.sources.git]\nallowUnsigned = true\n';
    const defaults = parse(both);
    expect(defaults.sources.confgo?.maxBodyBytes).toBe(1024 * 1024);
    expect(defaults.sources.git?.maxBodyBytes).toBe(3_014_656);
    const global = parse(`[junoevent]\nmaxBodyBytes = 2048\n${both}`);
    expect(global.sources.git?.maxBodyBytes).toBe(2048);
    const own = parse(`[junoevent]\nmaxBodyBytes = 2048\n${both}maxBodyBytes = 3000000\n`);
    expect(own.sources.confgo?.maxBodyBytes).toBe(2048);
    expect(own.sources.git?.maxBodyBytes).toBe(3_000_000);
    expect(errorOf(`${both}maxBodyBytes = 7000000\n`)).toContain(
      'junoevent.sources.git.maxBodyBytes must be at most 3014656 bytes',
    );
    expect(errorOf(`${both}maxBodyBytes = 1000\n`)).toContain(
      'junoevent.sources.git.maxBodyBytes must be a whole number from 1024 to 3014656 (got a whole number)',
    );
  });

  it('maps a project keyed by path to its GitLab id as well, and refuses an id used twice', () => {
    const git = parse(
      '[junoevent.sources.git]\nallowUnsigned = true\n[junoevent.sources.git.projects]\n"g/p" = { app_name = "p-svc", id = 42 }\n',
    ).sources.git;
    expect(git?.projects.get('42')?.app_name).toBe('p-svc');
    expect(git?.projects.get('g/p')?.app_name).toBe('p-svc');
    expect(
      errorOf(
        '[junoevent.sources.git]\nallowUnsigned = true\n[junoevent.sources.git.projects]\n"42" = { app_name = "a" }\n"g/p" = { app_name = "b", id = 42 }\n',
      ),
    ).toContain('junoevent.sources.git.projects.g/p.id must be an id no other project entry uses');
  });

  it('refuses allowUnsigned = true in a deployed function', () => {
    expect(errorOf('[junoevent.sources.confgo]\nallowUnsigned = true\n', deployed)).toContain(
      'junoevent.sources.confgo.allowUnsigned must be false in a deployed function',
    );
    const offline = { file: FILE, env: { AWS_LAMBDA_FUNCTION_NAME: 'x', IS_OFFLINE: 'true' } };
    expect(parse('[junoevent.sources.confgo]\nallowUnsigned = true\n', offline).sources.confgo?.allowUnsigned).toBe(
      true,
    );
  });

  it('checks that confgo and devops secrets are Standard Webhooks secrets', () => {
    expect(errorOf('[junoevent.sources.devops]\nsecret = "hunter2"\n')).toContain(
      'junoevent.sources.devops.secret must be a Standard Webhooks secret',
    );
    expect(errorOf('[junoevent.sources.devops]\nsecret = "hunter2"\n')).not.toContain('hunter2');
  });

  it('rejects unknown sources, short tokens and bad table names', () => {
    expect(errorOf('[junoevent.sources.jenkins]\nsecret = "x"\n')).toContain(
      'junoevent.sources.jenkins must be absent',
    );
    expect(errorOf('[junoevent.api]\ntoken = "short"\n')).toContain(
      'junoevent.api.token must be at least 16 characters',
    );
    expect(errorOf('[junoevent]\ntable = "no spaces allowed"\n')).toContain(
      'junoevent.table must be a DynamoDB table name',
    );
  });

  it('reports TOML syntax errors with the line', () => {
    expect(errorOf('[junoevent]\ntable = \n')).toMatch(/is not valid TOML at line 2/);
  });

  it('requires the [junoevent] table', () => {
    expect(errorOf('[other]\nx = 1\n')).toContain('junoevent must be a [junoevent] table');
  });

  it('loads the file named by JUNOEVENT_CONFIG and says how to fix a missing file', () => {
    const file = writeConfig('[junoevent]\ntable = "from-file"\n');
    expect(loadConfig({ env: { JUNOEVENT_CONFIG: file } }).table).toBe('from-file');
    expect(() => loadConfig({ env: { JUNOEVENT_CONFIG: '/nonexistent/junoevent.toml' } })).toThrow(
      'junoevent config /nonexistent/junoevent.toml cannot be read: create it or set JUNOEVENT_CONFIG to its path',
    );
  });

  it('loads the repository junoevent.toml, whose credentials come from each function secret', () => {
    const config = loadConfig({
      file: 'junoevent.toml',
      env: { JUNOEVENT_TABLE: 'appevent', JUNOEVENT_RETENTION: '0', JUNOEVENT_SECRETS: 'aws:junoevent/prod/confgo' },
    });
    expect(config.table).toBe('appevent');
    expect(config.retentionSeconds).toBe(0);
    expect(Object.keys(config.sources).sort()).toEqual(['confgo', 'devops', 'git', 'grafana']);
    expect(config.sources.confgo?.secret).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['3s', 3000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['500us', 0.5],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '3', 's', '3 s', '-1s', '3sec', '1d'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('config: grafana and git sources', () => {
  it('reads grafana credentials, header names (lower-cased) and label mapping, with defaults', () => {
    const config = parse(
      '[junoevent.sources.grafana]\nsecret = "s3cret-s3cret"\ntimestampHeader = "X-Grafana-Alerting-Timestamp"\ntoken = "t"\nusername = "am"\npassword = "pw"\n[junoevent.sources.grafana.labels]\napp_name = ["service_name"]\n',
    );
    expect(config.sources.grafana).toMatchObject({
      secret: 's3cret-s3cret',
      signatureHeader: 'x-grafana-alerting-signature',
      timestampHeader: 'x-grafana-alerting-timestamp',
      token: 't',
      basic: { username: 'am', password: 'pw' },
      labels: {
        app_name: ['service_name'],
        env: ['env', 'environment'],
        zone_code: ['zone_code', 'zone'],
        aid: ['aid'],
        host_name: ['instance', 'host', 'hostname'],
      },
    });
  });

  it('refuses half of a Basic pair, unknown label fields and grafana without any credential', () => {
    expect(errorOf('[junoevent.sources.grafana]\nusername = "am"\n')).toContain(
      'junoevent.sources.grafana.password must be set together with the other one',
    );
    expect(
      errorOf('[junoevent.sources.grafana]\nsecret = "x"\n[junoevent.sources.grafana.labels]\nteam = ["t"]\n'),
    ).toContain('junoevent.sources.grafana.labels.team must be absent');
    expect(errorOf('[junoevent.sources.grafana]\n')).toContain(
      'junoevent.sources.grafana.secret must be set (an HMAC secret, a token, or username and password)',
    );
  });

  it('reads the git project map keyed by GitLab id, path or GitHub full name', () => {
    const config = parse(
      '[junoevent.sources.git]\nsecret = "x"\n[junoevent.sources.git.projects]\n"15" = { app_name = "a", aid = 3 }\n"org/repo" = { env = "prod" }\n',
    );
    expect(config.sources.git?.projects.get('15')).toEqual({
      app_name: 'a',
      aid: 3,
      env: undefined,
      zone_code: undefined,
    });
    expect(config.sources.git?.projects.get('org/repo')?.env).toBe('prod');
    expect(
      errorOf('[junoevent.sources.git]\nsecret = "x"\n[junoevent.sources.git.projects]\n"1" = { aid = "3" }\n'),
    ).toContain('junoevent.sources.git.projects.1.aid must be a whole number');
    expect(errorOf('[junoevent.sources.git]\nsigningSecret = "plain"\n')).toContain(
      'junoevent.sources.git.signingSecret must be a Standard Webhooks secret',
    );
  });

  it('reads the metadata budget and the redelivery window', () => {
    const config = parse('[junoevent]\nmetadataBudget = 32768\nredeliveryWindow = "72h"\n');
    expect(config.metadataBudget).toBe(32768);
    expect(config.redeliveryWindowSeconds).toBe(72 * 3600);
    expect(parse('[junoevent]\n').redeliveryWindowSeconds).toBe(7 * 24 * 3600);
    expect(errorOf('[junoevent]\nredeliveryWindow = "5m"\n')).toContain(
      'junoevent.redeliveryWindow must be a duration of at least "1h"',
    );
  });

  it('reads the retention: forever by default, else at least 7 days and the redelivery window', () => {
    expect(parse('[junoevent]\n').retentionSeconds).toBe(0);
    for (const forever of ['"0"', '""', '"0s"']) {
      expect(parse(`[junoevent]\nretention = ${forever}\n`).retentionSeconds).toBe(0);
    }
    expect(parse('[junoevent]\nretention = "2160h"\n').retentionSeconds).toBe(90 * 24 * 3600);
    expect(parse('[junoevent]\nretention = "168h"\n').retentionSeconds).toBe(7 * 24 * 3600);
    expect(parse('[junoevent]\nredeliveryWindow = "240h"\nretention = "240h"\n').retentionSeconds).toBe(10 * 24 * 3600);
    expect(errorOf('[junoevent]\nretention = "24h"\n')).toContain(
      'junoevent.retention must be "0" (forever) or a duration from "168h" (7 days, and no shorter than redeliveryWindow) to "876000h"',
    );
    expect(errorOf('[junoevent]\nredeliveryWindow = "240h"\nretention = "200h"\n')).toContain(
      'junoevent.retention must be "0" (forever) or a duration from "240h"',
    );
    expect(errorOf('[junoevent]\nretention = "90d"\n')).toContain('junoevent.retention must be');
    expect(errorOf('[junoevent]\nretention = "900000h"\n')).toContain('junoevent.retention must be');
    expect(errorOf('[junoevent]\nretention = 90\n')).toContain('junoevent.retention must be a string');
    expect(
      parseConfig('[junoevent]\nretention = "${JUNOEVENT_RETENTION}"\n', {
        file: 'stage.toml',
        env: { JUNOEVENT_RETENTION: '8760h' },
      }).retentionSeconds,
    ).toBe(365 * 24 * 3600);
  });
});
