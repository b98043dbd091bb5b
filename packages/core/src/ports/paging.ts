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

/**
 * Decodes a cursor made by {@link encodeCursor}.
 * @throws VALIDATION_FAILED when the cursor is not one of ours
 */
export function decodeCursor(cursor: string, arity: number): Array<string | number> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === arity &&
      value.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return value as Array<string | number>;
    }
  } catch {
    // fall through to the typed error
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a valid cursor' }]);
}
