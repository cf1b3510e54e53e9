// The contract every sender family keeps: authenticate a delivery (a result, with its key), then
// shape its parsed body into events, or say why it is not recorded. pipeline.ts does the rest for
// every family: config, body parsing, recording, publishing and the answer.

import type { Source } from '../event/catalog';
import type { ShapedEvent } from '../event/record';
import type { HttpRequest } from '../http/request';
import type { Authentication } from './verify';

/** What a delivery's body comes to: the events to record, or a kind that is not recorded. */
export type Shaped = { events: ShapedEvent[] } | { ignored: string };

export interface ShapeContext {
  /** The delivery's key from authentication, when its sender gives one. */
  deliveryKey: string | undefined;
  /** Unix seconds when the request arrived. */
  nowSeconds: number;
  /** Largest metadata kept for one event, in bytes. */
  metadataBudget: number;
}

export interface SenderFamily<C> {
  source: Source;
  authenticate(config: C, request: HttpRequest, nowSeconds: number): Authentication;
  /** The JSON text of the body, with the content type checked (most senders post JSON as is). */
  json?(request: HttpRequest): string;
  /** Pure: the parsed body into events; throws FieldError (a 422 naming the field) on a malformed one. */
  shape(body: unknown, request: HttpRequest, config: C, context: ShapeContext): Shaped;
}
