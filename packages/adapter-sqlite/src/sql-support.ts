import type { WriteOutcome } from '@stockroom/core/adapter-kit';

/** A guarded write that happened. */
export const APPLIED: WriteOutcome = Object.freeze({ applied: true });
/** A guarded write that lost its race (or found nothing to write). */
export const NOT_APPLIED: WriteOutcome = Object.freeze({ applied: false });

/** `{ applied: true }` when exactly one row changed. */
export function outcome(changed: bigint | undefined): WriteOutcome {
  return changed === 1n ? APPLIED : NOT_APPLIED;
}

// SQLite caps one statement at 32,766 bound parameters (SQLITE_MAX_VARIABLE_NUMBER in the
// better-sqlite3 build) and multi-row VALUES lists are best kept to a few hundred rows, so
// multi-row inserts and IN lists are cut into chunks that stay well inside both.
const MAX_PARAMETERS = 32_000;
const MAX_ROWS = 500;

/** Splits `items` into chunks of at most `MAX_ROWS`, each binding at most `MAX_PARAMETERS`. */
export function chunks<T>(items: readonly T[], parametersPerItem = 1): T[][] {
  const size = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / parametersPerItem)));
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

/** The distinct values, in first-seen order. */
export function distinct<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
