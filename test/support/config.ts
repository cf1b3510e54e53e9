import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SECRETS = {
  confgo: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  devops: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  grafana: 'grafana-test-secret-0123456789',
  git: 'git-test-secret-0123456789',
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
maxBodyBytes = 4096

[junoevent.api]
token = "${API_TOKEN}"

[junoevent.sources.confgo]
secret = "${SECRETS.confgo}"

[junoevent.sources.devops]
secret = "${SECRETS.devops}"

[junoevent.sources.grafana]
secret = "${SECRETS.grafana}"

[junoevent.sources.git]
secret = "${SECRETS.git}"
`;

/** Points the functions at a test config and a local DynamoDB; call before importing functions/*. */
export function useFunctionEnv(endpoint: string, configText = TEST_CONFIG): void {
  process.env.JUNOEVENT_CONFIG = writeConfig(configText);
  process.env.DYNAMODB_ENDPOINT = endpoint;
}
