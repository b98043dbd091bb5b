import type { IdKind } from './ids.js';
import { IdPrefix } from './ids.js';

/** Two hex digits of every byte value. */
const HEX = Array.from({ length: 256 }, (_unused, byte) => byte.toString(16).padStart(2, '0'));

let lastMs = 0;
let sequence = 0;
/** `tttttttt-tttt-7` of `lastMs`: the same for every id of one millisecond. */
let timePrefix = '';
// Random bytes are drawn in blocks: one getRandomValues call per id dominated bulk imports.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function prefixOf(ms: number): string {
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
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
    timePrefix = prefixOf(lastMs);
  } else {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) {
      lastMs += 1;
      timePrefix = prefixOf(lastMs);
    }
  }
  if (poolOffset + 8 > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 8;
  // Byte by byte through a table, straight from the pool: building the hex with map/join cost
  // ~10 µs an id, and a view or a padded string per id is garbage on the hot path.
  const variant = HEX[(pool[at]! & 0x3f) | 0x80]!;
  return `${timePrefix}${HEX[sequence >> 8]![1]}${HEX[sequence & 0xff]}-${variant}${HEX[pool[at + 1]!]}-${HEX[pool[at + 2]!]}${HEX[pool[at + 3]!]}${HEX[pool[at + 4]!]}${HEX[pool[at + 5]!]}${HEX[pool[at + 6]!]}${HEX[pool[at + 7]!]}`;
}

/** The default id generator: `res_<uuid7>`, `mov_<uuid7>`, … */
export function defaultIdGenerator(): { next(kind: IdKind): string } {
  return { next: (kind) => `${IdPrefix[kind]}_${uuid7()}` };
}
