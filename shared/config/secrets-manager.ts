// Reading one secret from Secrets Manager. A bundle of its own (dist/secrets-manager.js), loaded on
// the first read, so a function parses the client only when its credentials are read at run time.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A reader of secret `secretId`'s string, with bounded timeouts (an outage fails fast). */
export function secretsManagerReader(secretId: string, endpoint: string | undefined) {
  const sdk = new SecretsManagerClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
  return {
    read: async () => (await sdk.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
  };
}
