// Authenticating Grafana and Alertmanager: whichever configured credential the request carries —
// Grafana's HMAC signature header, a bearer token, or HTTP Basic credentials.

import type { GrafanaSourceConfig } from '../../config/types';
import { hmacHex, sameSecret } from '../../crypto';
import { UnauthorizedError } from '../../errors';
import { type HttpRequest, parseAuthorization } from '../../http/request';
import { checkTimestamp } from '../standard-webhooks';

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
  if (signature !== undefined && config.secret !== undefined) {
    const timestamp =
      config.timestampHeader === undefined
        ? undefined
        : { header: config.timestampHeader, value: request.headers[config.timestampHeader] };
    verifyGrafanaSignature(config.secret, signature, timestamp, request.rawBody, nowSeconds);
    return;
  }
  const credentials = parseAuthorization(request.headers.authorization);
  if (credentials?.scheme === 'bearer' && config.token !== undefined) {
    if (!sameSecret(credentials.token, config.token))
      throw new UnauthorizedError('invalid_token', 'the bearer token is not the configured one');
    return;
  }
  if (credentials?.scheme === 'basic' && config.basic !== undefined) {
    const userOk = sameSecret(credentials.username, config.basic.username);
    const passwordOk = sameSecret(credentials.password, config.basic.password);
    if (!(userOk && passwordOk))
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
