// The Juno event envelope that confgo and devops post: the record's fields without id,
// operation_name and source_name. Pure shaping: no I/O.

import { FieldError } from '../../errors';
import { isOperation, operationsOf, type Source, sourcesOf } from '../../event/catalog';
import {
  EARLIEST_SENDER_TIME,
  type EventDraft,
  MAX_FUTURE_SKEW_SECONDS,
  MAX_NAME,
  type OperatorType,
  RECORD_FIELDS,
} from '../../event/record';
import { checkJsonShape, ObjectReader } from '../../json';

/** Juno's metadata column held 64 KiB; an envelope over that is refused rather than cut. */
const MAX_ENVELOPE_METADATA_BYTES = 64 * 1024;

const MAX_HOSTS = 16 * 1024;

/** What a sender may set: the record without the fields junoevent assigns. */
const RESERVED_FIELDS: readonly string[] = ['id', 'operation_name', 'source_name'];
const ENVELOPE_FIELDS = RECORD_FIELDS.filter((field) => !RESERVED_FIELDS.includes(field));

/** Shapes an envelope posted to `source`'s route into a draft record. Throws FieldError. */
export function parseEnvelope(source: Source, body: unknown, nowSeconds: number): EventDraft {
  const envelope = ObjectReader.of(body, '');
  for (const reserved of RESERVED_FIELDS) {
    if (envelope.has(reserved)) {
      throw new FieldError(reserved, 'absent: junoevent assigns it');
    }
  }
  envelope.onlyKeys(ENVELOPE_FIELDS);

  const operation = envelope.string('operation', { nonEmpty: true, max: MAX_NAME });
  if (!isOperation(operation) || !sourcesOf(operation).includes(source)) {
    throw new FieldError('operation', `one of ${operationsOf(source).join(', ')}`, operation);
  }
  const claimedSource = envelope.optionalString('source');
  if (claimedSource !== undefined && claimedSource !== source) {
    throw new FieldError('source', `"${source}" on this route, or absent`, claimedSource);
  }
  return {
    app_name: envelope.string('app_name', { nonEmpty: true, max: MAX_NAME }),
    aid: envelope.optionalInteger('aid') ?? 0,
    zone_code: envelope.optionalString('zone_code', { max: MAX_NAME }) ?? '',
    env: envelope.optionalString('env', { max: MAX_NAME }) ?? '',
    host_name: readHosts(envelope),
    operator_type: readOperatorType(envelope),
    user_name: envelope.optionalString('user_name', { max: MAX_NAME }) ?? '',
    uid: envelope.optionalInteger('uid') ?? 0,
    operation,
    create_time:
      envelope.optionalInteger('create_time', {
        min: EARLIEST_SENDER_TIME,
        max: nowSeconds + MAX_FUTURE_SKEW_SECONDS,
      }) ?? nowSeconds,
    source,
    metadata: readMetadata(envelope),
  };
}

/** host_name: one string (hosts joined with ",") or an array of host names. */
function readHosts(envelope: ObjectReader): string {
  const value = envelope.raw('host_name');
  const hosts = Array.isArray(value)
    ? (envelope.optionalStringArray('host_name', { nonEmpty: true, max: MAX_NAME }) ?? []).join(',')
    : (envelope.optionalString('host_name') ?? '');
  if (hosts.length > MAX_HOSTS) {
    throw new FieldError('host_name', `at most ${MAX_HOSTS} characters in all`, hosts);
  }
  return hosts;
}

function readOperatorType(envelope: ObjectReader): OperatorType {
  const value = envelope.optionalString('operator_type') ?? 'user';
  if (value !== 'user' && value !== 'openapi') throw new FieldError('operator_type', '"user" or "openapi"', value);
  return value;
}

/** metadata: an object, or a string holding a JSON object. Stored as a JSON string. */
function readMetadata(envelope: ObjectReader): string {
  if (!envelope.has('metadata')) return '{}';
  const value = envelope.raw('metadata');
  let text: string;
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new FieldError('metadata', 'an object or a string holding a JSON object', value);
    }
    ObjectReader.of(parsed, 'metadata');
    // The same checks as a body's own objects: no __proto__ key, bounded nesting.
    checkJsonShape(parsed, 'metadata', 1);
    text = value;
  } else {
    ObjectReader.of(value, 'metadata');
    text = JSON.stringify(value);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_ENVELOPE_METADATA_BYTES) {
    throw new FieldError('metadata', `at most ${MAX_ENVELOPE_METADATA_BYTES} bytes of JSON (it is ${bytes})`);
  }
  return text;
}
