import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SECRETS = {
  confgo: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  devops: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  grafana: 'grafana-test-secret-0123456789',
  git: 'git-test-secret-0123456789',
  gitlabSigning: 'whsec_9mW4Zk0u0CbtfmtnKG9eJPWjI7Fj3sHg',
  grafanaToken: 'grafana-bearer-token-0123456789',
  alertmanagerPassword: 'am-password-0123456789',
} as const;

export const API_TOKEN = 'test-api-token-0123456789';

/** Writes a junoevent.toml for a test and returns its path. */
export function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'junoevent-')), 'junoevent.toml');
  writeFileSync(file, text);
  return file;
}

export const TEST_CONFIG = `
[junoevent]
table = "appevent"
maxBodyBytes = 262144

[junoevent.api]
token = "${API_TOKEN}"

[junoevent.sources.confgo]
secret = "${SECRETS.confgo}"

[junoevent.sources.devops]
secret = "${SECRETS.devops}"

[junoevent.sources.grafana]
secret = "${SECRETS.grafana}"
timestampHeader = "X-Grafana-Alerting-Timestamp"
token = "${SECRETS.grafanaToken}"
username = "alertmanager"
password = "${SECRETS.alertmanagerPassword}"

[junoevent.sources.git]
secret = "${SECRETS.git}"
signingSecret = "${SECRETS.gitlabSigning}"

[junoevent.sources.git.projects]
"15" = { app_name = "diaspora-svc", aid = 15, env = "prod", zone_code = "cn-sh-01" }
"gitlab-org/gitlab-test" = { app_name = "gitlab-test-svc", aid = 380 }
"Codertocat/Hello-World" = { app_name = "hello-svc", aid = 7, env = "staging" }
"acme-pay/checkout-api" = { app_name = "checkout-svc", aid = 31, env = "prod" }
"payments/ledger-api" = { app_name = "ledger-svc", aid = 73, zone_code = "eu-central" }
`;

/** Points the functions at a test config and a local DynamoDB; call before importing functions/*. */
export function useFunctionEnv(endpoint: string, configText = TEST_CONFIG): void {
  process.env.JUNOEVENT_CONFIG = writeConfig(configText);
  process.env.DYNAMODB_ENDPOINT = endpoint;
}

/** The bytes of a fixture under test/fixtures/, exactly as stored. */
export function fixture(path: string): string {
  return readFileSync(resolve(__dirname, '..', 'fixtures', path), 'utf8');
}

/** A `[junoevent.rocketmq]` block publishing to `addr` (short bounds per attempt), to append to a config. */
export function rocketmqBlock(addr: string, topic: string): string {
  return `
[junoevent.rocketmq]
enable = true
addr = ["${addr}"]
topic = "${topic}"
group = "junoevent_test"
retry = 1
dialTimeout = "2s"
`;
}
