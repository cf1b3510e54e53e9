// Every error class. Each HTTP-facing error carries its status and a machine code; shared/http/function.ts
// is the one place that turns them into responses. FieldError (a value read from a body or the config
// is not of the expected form) becomes a 422 or a ConfigError; PublishError never reaches a caller.

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
  }
}

/** 400: the body is not well-formed (not JSON, empty) or a query parameter is malformed. */
export class BadRequestError extends HttpError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(400, code, message, options);
  }
}

/** 401: a signature or token is missing, wrong or stale. */
export class UnauthorizedError extends HttpError {
  constructor(code: string, message: string) {
    super(401, code, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** 422: well-formed JSON that is not a valid event. `field` names the offending field. */
export class InvalidEventError extends HttpError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(422, 'invalid_event', `${field}: ${message}`);
    this.field = field;
  }
}

/** 503: a dependency (DynamoDB) is unavailable; the sender should retry. */
export class ServiceUnavailableError extends HttpError {
  constructor(message: string, options?: ErrorOptions) {
    super(503, 'service_unavailable', message, options);
  }
}

/** A bad or missing configuration value. Never reaches a caller: it stops the function. */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * A field of untyped JSON or TOML data that is not what was expected; names its full path and the
 * expected form. The value itself is never part of the message (it may be a secret, or whatever a
 * sender chose to put there): only its kind, such as "a string of 12 characters".
 */
export class FieldError extends Error {
  readonly path: string;
  readonly expected: string;
  /** The message without the path: "must be …", with the kind of value found when there was one. */
  readonly requirement: string;

  constructor(path: string, expected: string, got?: unknown) {
    const shown = boundedPath(path);
    const requirement = got === undefined ? `must be ${expected}` : `must be ${expected} (got ${kindOf(got)})`;
    super(`${shown} ${requirement}`);
    this.name = 'FieldError';
    this.path = shown;
    this.expected = expected;
    this.requirement = requirement;
  }
}

/** The longest field path an error names; a longer one (a sender's 50 KB key) is cut. */
const MAX_PATH_CHARS = 200;

function boundedPath(path: string): string {
  return path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}…` : path;
}

/** Publishing to the message stream failed; the event stays pending for the redrive. */
export class PublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/** What kind of value was found, for error messages: never the value itself. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      if (value.length === 0) return 'an empty string';
      return value.length === 1 ? 'a string of 1 character' : `a string of ${value.length} characters`;
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number with a fraction';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
