// Typed errors. Each HTTP-facing error carries its status and a machine code; shared/http.ts is the
// one place that turns them into responses.

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
