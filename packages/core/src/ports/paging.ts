import { ValidationError } from '../errors/validation-error.js';
import type { PageRequest } from './page.js';

/** The default page size. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The largest page size. */
export const MAX_PAGE_LIMIT = 1000;

/** The page size to use: `limit` clamped to 1–1000, 100 when absent. */
export function pageLimit(request: PageRequest): number {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return DEFAULT_PAGE_LIMIT;
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/**
 * Encodes a keyset position (the sort key of the last item served) as an opaque cursor.
 * Adapters share this so cursors look alike whatever the store.
 */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** The longest cursor accepted: no keyset position of ours comes near it. */
export const MAX_CURSOR_LENGTH = 1024;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** What `Date.prototype.toISOString` writes for years 0001–9999, the range every store keeps. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function invalidCursor(): ValidationError {
  return new ValidationError([{ path: 'cursor', message: 'is not a valid cursor' }]);
}

/** A string a store can hold and compare: well-formed Unicode, no NUL. */
function isStorableText(value: string): boolean {
  return (
    value.length <= MAX_CURSOR_LENGTH &&
    !value.includes('\u0000') &&
    (value as string & { isWellFormed(): boolean }).isWellFormed()
  );
}

function parseCursor(cursor: string, arity: number): unknown[] {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    throw invalidCursor();
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value) || value.length !== arity) throw invalidCursor();
  return value;
}

/**
 * Decodes a cursor made by {@link encodeCursor}. Every part is checked before it can reach a
 * query: strings are well-formed Unicode without NUL, numbers are finite.
 * @throws VALIDATION_FAILED when the cursor is not one of ours
 */
export function decodeCursor(cursor: string, arity: number): Array<string | number> {
  const parts = parseCursor(cursor, arity);
  for (const part of parts) {
    if (typeof part === 'string' ? !isStorableText(part) : !Number.isFinite(part)) {
      throw invalidCursor();
    }
  }
  return parts as Array<string | number>;
}

/** The kind of one part of a keyset position. */
export type CursorPart =
  /** Text: well-formed Unicode, no NUL, at most 1024 UTF-16 units. */
  | 'string'
  /** A safe integer (a version, a time in epoch milliseconds). */
  | 'integer'
  /** A time written by `toISOString()` in the years 0001–9999; decoded to a `Date`. */
  | 'time';

/** The decoded value of a {@link CursorPart}. */
export type CursorValue<P extends CursorPart> = P extends 'string'
  ? string
  : P extends 'integer'
    ? number
    : Date;

/**
 * Decodes a cursor made by {@link encodeCursor} into exactly the parts a store's keyset query
 * expects, each checked so any value it returns is one the store can bind: a forged cursor (a
 * time PostgreSQL cannot store, a NUL, a number out of range) fails here, in one place shared by
 * every store, instead of in SQL.
 * @throws VALIDATION_FAILED when the cursor is not one of ours
 */
export function decodeCursorAs<const P extends readonly CursorPart[]>(
  cursor: string,
  parts: P,
): { -readonly [K in keyof P]: CursorValue<P[K]> } {
  const values = parseCursor(cursor, parts.length);
  const decoded = values.map((value, index) => {
    switch (parts[index]) {
      case 'string':
        if (typeof value === 'string' && isStorableText(value)) return value;
        break;
      case 'integer':
        if (Number.isSafeInteger(value)) return value;
        break;
      case 'time':
        if (typeof value === 'string' && ISO_TIME.test(value)) {
          const time = new Date(value);
          // Rejects calendar nonsense (2026-02-31) that Date would roll over.
          if (!Number.isNaN(time.getTime()) && time.toISOString() === value) return time;
        }
        break;
    }
    throw invalidCursor();
  });
  return decoded as { -readonly [K in keyof P]: CursorValue<P[K]> };
}
