// How an event's metadata is stored: as text, or, when it is large and compresses well, as brotli
// bytes in the same attribute (a DynamoDB Binary). A stored String is always plain text; a Binary is
// always compressed. Reading gives back exactly the text that was written either way.

import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** Metadata of more bytes than this (UTF-8) is compressed when that pays. */
export const COMPRESS_OVER_BYTES = 1024;
/** Compressed metadata is kept only when it saves at least this share of the bytes. */
export const MIN_SAVING = 0.3;
/**
 * Brotli quality 5: on the test fixtures' metadata over 1 KiB (32 events) it keeps 13.7 % of the
 * bytes in 0.16 to 0.22 ms an event, and reads back in 0.05 ms; quality 9 and up keep 13.6 % to
 * 12.7 % but take 3.7 to 11 ms; deflate keeps 15.0 % in 0.1 ms.
 */
const QUALITY = 5;
/**
 * The most text a stored value may expand to: more than any metadata budget allows (256 KiB) with
 * room to spare, so a damaged value fails instead of filling memory.
 */
const MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024;

const LONE_SURROGATE = /\p{Surrogate}/u;

/** The value stored for `metadata`: the text itself, or its brotli bytes when large and compressible. */
export function encodeMetadata(metadata: string): string | Uint8Array {
  const bytes = Buffer.byteLength(metadata);
  // Text with a lone surrogate has no exact UTF-8 form: it is stored as it always was.
  if (bytes <= COMPRESS_OVER_BYTES || LONE_SURROGATE.test(metadata)) return metadata;
  const compressed = brotliCompressSync(metadata, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes,
    },
  });
  return compressed.length <= bytes * (1 - MIN_SAVING) ? compressed : metadata;
}

/** The metadata text of a stored value: a String as is, a Binary decompressed; undefined for anything else. */
export function decodeMetadata(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!(value instanceof Uint8Array)) return undefined;
  return brotliDecompressSync(value, { maxOutputLength: MAX_DECOMPRESSED_BYTES }).toString('utf8');
}
