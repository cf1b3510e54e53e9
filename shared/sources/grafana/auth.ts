// Authenticating Grafana and Alertmanager: whichever configured credential the request carries —
// Grafana's HMAC signature header, a bearer token, or HTTP Basic credentials. Each alert is keyed by
// its own fields when shaped, so the delivery itself carries no key.

import { type GrafanaSourceConfig, inRotation } from '../../config/types';
import { hmacHex, sameAsAny, sameSecret } from '../../crypto';
import { type HttpRequest, parseAuthorization } from '../../http/request';
import { type Authentication, accepted, anyCredential, refused, timestampRefusal } from '../verify';

/** Grafana's HMAC signature: lower-case hex HMAC-SHA256 of `signed` (the body, or "<timestamp>:<body>"). */
export function grafanaSignatureMatches(secret: string, signature: string, signed: string): boolean {
  return sameSecret(signature.trim().toLowerCase(), hmacHex(secret, signed));
}

/**
 * Grafana's HMAC signature over the body, or over "<timestamp>:<body>" when a timestamp header is
 * configured (the timestamp must then be within 5 minutes), made with one of `secrets`.
 */
export function verifyGrafanaSignature(
  secrets: readonly string[],
  signature: string,
  timestamp: { header: string; value: string | undefined } | undefined,
  rawBody: string,
  nowSeconds: number,
): Authentication {
  let signed = rawBody;
  if (timestamp !== undefined) {
    const { header, value } = timestamp;
    if (value === undefined) {
      return refused('missing_signature', `${header} must carry the unix time the signature was made`);
    }
    const stale = timestampRefusal(value, nowSeconds, header);
    if (stale !== undefined) return stale;
    signed = `${value}:${rawBody}`;
  }
  if (!anyCredential(secrets, (secret) => grafanaSignatureMatches(secret, signature, signed))) {
    return refused('invalid_signature', 'the Grafana signature does not match the body and the secret');
  }
  return accepted();
}

export function authenticateGrafana(
  config: GrafanaSourceConfig,
  request: HttpRequest,
  nowSeconds: number,
): Authentication {
  const signature = request.headers[config.signatureHeader];
  const { previous } = config;
  const secrets = inRotation(config.secret, previous.secret);
  if (signature !== undefined && secrets.length > 0) {
    const timestamp =
      config.timestampHeader === undefined
        ? undefined
        : { header: config.timestampHeader, value: request.headers[config.timestampHeader] };
    return verifyGrafanaSignature(secrets, signature, timestamp, request.rawBody, nowSeconds);
  }
  const credentials = parseAuthorization(request.headers.authorization);
  const tokens = inRotation(config.token, previous.token);
  if (credentials?.scheme === 'bearer' && tokens.length > 0) {
    return sameAsAny(credentials.token, tokens)
      ? accepted()
      : refused('invalid_token', 'the bearer token is not the configured one');
  }
  const basics = inRotation(config.basic, previous.basic);
  if (credentials?.scheme === 'basic' && basics.length > 0) {
    const matches = anyCredential(
      basics,
      (basic) => sameSecret(credentials.username, basic.username) && sameSecret(credentials.password, basic.password),
    );
    return matches ? accepted() : refused('invalid_token', 'the Basic credentials are not the configured ones');
  }
  if (config.allowUnsigned && signature === undefined && credentials === undefined) return accepted();
  return refused('missing_signature', `expected ${schemesOf(config)}`);
}

function schemesOf(config: GrafanaSourceConfig): string {
  const schemes = [
    config.secret === undefined ? undefined : `the ${config.signatureHeader} signature`,
    config.token === undefined ? undefined : 'Authorization: Bearer',
    config.basic === undefined ? undefined : 'Authorization: Basic',
  ].filter((scheme) => scheme !== undefined);
  return schemes.join(' or ');
}
