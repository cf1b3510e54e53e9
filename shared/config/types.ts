// The shape of a loaded junoevent.toml, and its defaults.

export interface RocketMqConfig {
  readonly enable: boolean;
  readonly addr: readonly string[];
  readonly topic: string;
  readonly group: string;
  /** Attempts after the first one. */
  readonly retry: number;
  readonly dialTimeoutMs: number;
}

/** Credentials still accepted during a rotation, beside the current ones (`previous` in a section or secret). */
export interface PreviousCredentials {
  readonly secret?: string;
  readonly token?: string;
  readonly basic?: { readonly username: string; readonly password: string };
  readonly signingSecret?: string;
}

/** The credentials accepted for one kind: the current one, then the previous one of a rotation. */
export function inRotation<T>(current: T | undefined, previous: T | undefined): T[] {
  return [current, previous].filter((credential): credential is T => credential !== undefined);
}

export interface SourceConfig {
  /** confgo, devops: the Standard Webhooks secret. grafana: the HMAC secret. git: the GitLab token and GitHub HMAC secret. */
  readonly secret: string | undefined;
  /** The credentials before the current ones, accepted too until the rotation ends. */
  readonly previous: PreviousCredentials;
  readonly allowUnsigned: boolean;
  /** The largest body this source's route accepts, in bytes. */
  readonly maxBodyBytes: number;
}

/** Alert label names read, in order, for each identity field. */
export interface LabelMapping {
  readonly app_name: readonly string[];
  readonly env: readonly string[];
  readonly zone_code: readonly string[];
  readonly aid: readonly string[];
  readonly host_name: readonly string[];
}

export interface GrafanaSourceConfig extends SourceConfig {
  /** Lower-case header names. */
  readonly signatureHeader: string;
  readonly timestampHeader: string | undefined;
  /** Accepted as `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
  /** Accepted as HTTP Basic credentials. */
  readonly basic: { readonly username: string; readonly password: string } | undefined;
  readonly labels: LabelMapping;
}

/** What a repository maps to; fields left out fall back to the repository's own name, 0 and "". */
export interface ProjectIdentity {
  readonly app_name: string | undefined;
  readonly aid: number | undefined;
  readonly env: string | undefined;
  readonly zone_code: string | undefined;
}

export interface GitSourceConfig extends SourceConfig {
  /** GitLab's Standard Webhooks signing token (whsec_…), checked when a delivery is signed. */
  readonly signingSecret: string | undefined;
  /** Keyed by GitLab project id, GitLab path_with_namespace or GitHub full_name. */
  readonly projects: ReadonlyMap<string, ProjectIdentity>;
}

export interface SourceConfigs {
  readonly confgo?: SourceConfig;
  readonly devops?: SourceConfig;
  readonly grafana?: GrafanaSourceConfig;
  readonly git?: GitSourceConfig;
}

export interface Config {
  /** The file this was read from, for messages. */
  readonly file: string;
  /** What the config was read from, to read it again with credentials added at run time. */
  readonly context: ConfigContext;
  readonly table: string;
  readonly maxBodyBytes: number;
  /** Largest metadata kept for one event, in bytes of JSON. */
  readonly metadataBudget: number;
  /** How long a delivery's identity is remembered, in seconds. */
  readonly redeliveryWindowSeconds: number;
  /** How long an event is kept from when it is written, in seconds (DynamoDB TTL); 0: forever. */
  readonly retentionSeconds: number;
  readonly api: { readonly token: string | undefined; readonly previousToken: string | undefined };
  readonly rocketmq: RocketMqConfig;
  readonly sources: SourceConfigs;
}

export const DEFAULT_CONFIG_FILE = 'junoevent.toml';
/** Lambda's limit on a synchronous invocation's payload: the whole API Gateway event must fit in it. */
export const LAMBDA_PAYLOAD_BYTES = 6_291_456;
/**
 * A bound on the bytes of an HTTP API (payload 2.0) event other than its body. API Gateway takes at
 * most 10,240 bytes of request line and header values; each of those bytes appears in the event at
 * most three times (rawPath, requestContext.http.path and pathParameters; rawQueryString and
 * queryStringParameters; a header and requestContext.http.userAgent or cookies), each at most six
 * bytes once escaped (`\u00XX`): 184,320 bytes. The rest of 256 KiB is for header names, the JSON
 * around each value and the fixed requestContext (under 1 KiB). No authorizer or client certificate
 * is configured, so neither adds to the event.
 */
export const EVENT_ENVELOPE_BYTES = 256 * 1024;
/**
 * The largest `maxBodyBytes` accepted: 3,014,656 bytes (2.875 MiB) = (6,291,456 − 262,144) / 2.
 * API Gateway puts a JSON body in the event as a JSON string, so every `"` and `\`, and the newlines
 * and tabs between tokens, take two bytes: a body of backslashes doubles. Control characters, which
 * would take six, cannot appear unescaped in JSON, and base64 (a body API Gateway does not read as
 * text) takes 4/3. Non-ASCII characters are counted as they are sent, in UTF-8. A body up to this
 * size always reaches the function, and one over the route's limit gets its 413 from junoevent.
 */
export const MAX_BODY_BYTES_LIMIT = Math.floor((LAMBDA_PAYLOAD_BYTES - EVENT_ENVELOPE_BYTES) / 2);
/** The largest body a route accepts, unless the config says otherwise: per source, what its sender sends. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/**
 * Alert notifications and git deliveries can be large (a 2,048-commit GitHub push is about 1.1 MB; a
 * notification of 5,000 alerts about 2.3 MB): they get the most any route can be given.
 */
export const DEFAULT_LARGE_BODY_BYTES = MAX_BODY_BYTES_LIMIT;
export const DEFAULT_METADATA_BUDGET = 64 * 1024;
export const DEFAULT_REDELIVERY_WINDOW_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LABELS: LabelMapping = {
  app_name: ['app_name', 'app', 'appname', 'job', 'service'],
  env: ['env', 'environment'],
  zone_code: ['zone_code', 'zone'],
  aid: ['aid'],
  host_name: ['instance', 'host', 'hostname'],
};
export const MIN_TOKEN_LENGTH = 16;

/** The function's timeout: serverless.yml sets JUNOEVENT_FUNCTION_TIMEOUT (seconds) for each function. */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 15;

/** The parsed document (environment variables expanded) and how it was read. */
export interface ConfigContext {
  readonly document: unknown;
  readonly local: boolean;
  readonly functionTimeoutMs: number;
  /** Credentials come from a secret at run time (JUNOEVENT_SECRETS): sections need not hold them. */
  readonly credentialsAtRunTime: boolean;
  /** The section a run-time secret was applied to: it must hold its credentials now. */
  readonly applied?: string;
}
