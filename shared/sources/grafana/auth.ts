// Authenticating Grafana and Alertmanager: whichever configured credential the request carries —
// Grafana's HMAC signature header, a bearer token, or HTTP Basic credentials.

import { type GrafanaSourceConfig, inRotation } from '../../config/types';
import { hmacHex, sameAsAny, sameSecret } from '../../crypto';
import { UnauthorizedError } from '../../errors';
import { type HttpRequest, parseAuthorization } from '../../http/request';
import { checkTimestamp, verifyWithAny } from '../standard-webhooks';

/**
 * Grafana's HMAC signature: lower-case hex HMAC-SHA256 of the body, or of "<timestamp>:<body>" when
 * a timestamp header is configured; the timestamp must then be within 5 minutes.
 */
export function verifyGrafanaSignature(
  secret: string,
  signature: string,
  timestamp: { header: string; value: string | undefined } | undefined,
  rawBody: string,
  nowSeconds: number,
): void {
  let signed = rawBody;
  if (timestamp !== undefined) {
    const { header, value } = timestamp;
    if (value === undefined) {
      throw new UnauthorizedError('missing_signature', `${header} must carry the unix time the signature was made`);
    }
    checkTimestamp(value, nowSeconds, header);
    signed = `${value}:${rawBody}`;
  }
  if (!sameSecret(signature.trim().toLowerCase(), hmacHex(secret, signed))) {
    throw new UnauthorizedError('invalid_signature', 'the Grafana signature does not match the body and the secret');
  }
}

export function authenticateGrafana(config: GrafanaSourceConfig, request: HttpRequest, nowSeconds: number): void {
  const signature = request.headers[config.signatureHeader];
  const { previous } = config;
  const secrets = inRotation(config.secret, previous.secret);
  if (signature !== undefined && secrets.length > 0) {
    const timestamp =
      config.timestampHeader === undefined
        ? undefined
        : { header: config.timestampHeader, value: request.headers[config.timestampHeader] };
    verifyWithAny(secrets, (secret) =>
      verifyGrafanaSignature(secret, signature, timestamp, request.rawBody, nowSeconds),
    );
    return;
  }
  const credentials = parseAuthorization(request.headers.authorization);
  const tokens = inRotation(config.token, previous.token);
  if (credentials?.scheme === 'bearer' && tokens.length > 0) {
    if (!sameAsAny(credentials.token, tokens))
      throw new UnauthorizedError('invalid_token', 'the bearer token is not the configured one');
    return;
  }
  const basics = inRotation(config.basic, previous.basic);
  if (credentials?.scheme === 'basic' && basics.length > 0) {
    const matches = basics.map(
      (basic) => sameSecret(credentials.username, basic.username) && sameSecret(credentials.password, basic.password),
    );
    if (!matches.includes(true))
      throw new UnauthorizedError('invalid_token', 'the Basic credentials are not the configured ones');
    return;
  }
  if (config.allowUnsigned && signature === undefined && credentials === undefined) return;
  throw new UnauthorizedError('missing_signature', `expected ${schemesOf(config)}`);
}

function schemesOf(config: GrafanaSourceConfig): string {
  const schemes = [
    config.secret === undefined ? undefined : `the ${config.signatureHeader} signature`,
    config.token === undefined ? undefined : 'Authorization: Bearer',
    config.basic === undefined ? undefined : 'Authorization: Basic',
  ].filter((scheme) => scheme !== undefined);
  return schemes.join(' or ');
}
