import type { IdKind } from './ids.js';
import { IdPrefix } from './ids.js';

/** The character codes of the two hex digits of every byte value (`HEX_CODES[2 * byte]`, `+ 1`). */
const HEX_CODES = new Uint8Array(512);
for (let byte = 0; byte < 256; byte += 1) {
  const hex = byte.toString(16).padStart(2, '0');
  HEX_CODES[2 * byte] = hex.charCodeAt(0);
  HEX_CODES[2 * byte + 1] = hex.charCodeAt(1);
}
const DASH = 0x2d;
const UNDERSCORE = 0x5f;
const UUID_LENGTH = 36;

let lastMs = 0;
let sequence = 0;
/** The codes of `tttttttt-tttt-7` for `lastMs`: the same for every id of one millisecond. */
const timeCodes: number[] = new Array<number>(15).fill(0);
// Random bytes are drawn in blocks: one getRandomValues call per id dominated bulk imports.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function setTime(ms: number): void {
  const time = ms.toString(16).padStart(12, '0');
  for (let index = 0; index < 8; index += 1) timeCodes[index] = time.charCodeAt(index);
  timeCodes[8] = DASH;
  for (let index = 8; index < 12; index += 1) timeCodes[index + 1] = time.charCodeAt(index);
  timeCodes[13] = DASH;
  timeCodes[14] = 0x37; // the version, 7
}

/**
 * Writes the next id's 36 character codes into `codes` from `at`. An id is made from its codes
 * as one flat string: a template of a dozen parts made a chain of intermediate strings per id
 * that was copied again when the id was first compared or sent (a bulk import makes two ids a
 * row).
 */
function writeUuid(codes: number[], at: number, nowMs: number): void {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
    setTime(lastMs);
  } else {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) {
      lastMs += 1;
      setTime(lastMs);
    }
  }
  if (poolOffset + 8 > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const random = poolOffset;
  poolOffset += 8;
  for (let index = 0; index < 15; index += 1) codes[at + index] = timeCodes[index]!;
  // `sss-vvrr-rrrrrrrrrrrr` after the version: the counter's 12 bits, the variant and 62
  // random bits, two hex digits a byte through the table.
  codes[at + 15] = HEX_CODES[2 * (sequence >> 8) + 1]!;
  writeByte(codes, at + 16, sequence & 0xff);
  codes[at + 18] = DASH;
  writeByte(codes, at + 19, (pool[random]! & 0x3f) | 0x80);
  writeByte(codes, at + 21, pool[random + 1]!);
  codes[at + 23] = DASH;
  for (let index = 0; index < 6; index += 1)
    writeByte(codes, at + 24 + 2 * index, pool[random + 2 + index]!);
}

function writeByte(codes: number[], at: number, value: number): void {
  codes[at] = HEX_CODES[2 * value]!;
  codes[at + 1] = HEX_CODES[2 * value + 1]!;
}

const uuidCodes: number[] = new Array<number>(UUID_LENGTH).fill(0);

/**
 * A UUIDv7-layout id: 48 bits of Unix milliseconds, a 12-bit counter that keeps ids from one
 * process increasing within a millisecond, and 62 random bits. Time-ordered, so no single hot
 * sequence is needed and b-tree inserts stay local.
 */
export function uuid7(nowMs: number = Date.now()): string {
  writeUuid(uuidCodes, 0, nowMs);
  return String.fromCharCode.apply(null, uuidCodes);
}

/** The codes of `<prefix>_<uuid>` of each prefix, the prefix and `_` written once. */
const prefixedCodes = new Map<string, number[]>();

/** `<prefix>_<uuid7>`, made as one flat string. */
function prefixedUuid7(prefix: string): string {
  let codes = prefixedCodes.get(prefix);
  if (codes === undefined) {
    codes = Array.from({ length: prefix.length }, (_unused, index) => prefix.charCodeAt(index));
    codes.push(UNDERSCORE, ...new Array<number>(UUID_LENGTH).fill(0));
    prefixedCodes.set(prefix, codes);
  }
  writeUuid(codes, prefix.length + 1, Date.now());
  return String.fromCharCode.apply(null, codes);
}

/** The default id generator: `res_<uuid7>`, `mov_<uuid7>`, … */
export function defaultIdGenerator(): { next(kind: IdKind): string } {
  return { next: (kind) => prefixedUuid7(IdPrefix[kind]) };
}
