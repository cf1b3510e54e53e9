// Bundle stand-in for @node-rs/crc32 (a native addon that esbuild cannot bundle and that would tie
// the package to one CPU): the same CRC-32 from Node's zlib.
import { crc32 as zlibCrc32 } from 'node:zlib';

export function crc32(input: string | Uint8Array, initial = 0): number {
  return zlibCrc32(input, initial);
}
