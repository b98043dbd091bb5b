import type { IdKind } from './ids.js';
import { IdPrefix } from './ids.js';

/** Two hex digits of every byte value. */
const HEX = Array.from({ length: 256 }, (_unused, byte) => byte.toString(16).padStart(2, '0'));

let lastMs = 0;
let sequence = 0;
// Random bytes are drawn in blocks: one getRandomValues call per id dominated bulk imports.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function randomBytes(count: number): Uint8Array {
  if (poolOffset + count > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

/**
 * A UUIDv7-layout id: 48 bits of Unix milliseconds, a 12-bit counter that keeps ids from one
 * process increasing within a millisecond, and 62 random bits. Time-ordered, so no single hot
 * sequence is needed and b-tree inserts stay local.
 */
export function uuid7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
  } else {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs += 1;
  }
  const r = randomBytes(8);
  const time = lastMs.toString(16).padStart(12, '0');
  // Byte by byte through a table: building the hex with map/join cost ~10 µs an id.
  const variant = HEX[(r[0]! & 0x3f) | 0x80]!;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${sequence.toString(16).padStart(3, '0')}-${variant}${HEX[r[1]!]}-${HEX[r[2]!]}${HEX[r[3]!]}${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}`;
}

/** The default id generator: `res_<uuid7>`, `mov_<uuid7>`, … */
export function defaultIdGenerator(): { next(kind: IdKind): string } {
  return { next: (kind) => `${IdPrefix[kind]}_${uuid7()}` };
}
