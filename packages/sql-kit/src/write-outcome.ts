import type { WriteOutcome } from '@stockroom/core/adapter-kit';

/** A guarded write that happened. */
export const APPLIED: WriteOutcome = Object.freeze({ applied: true });
/** A guarded write that lost its race (or found nothing to write). */
export const NOT_APPLIED: WriteOutcome = Object.freeze({ applied: false });

/**
 * `{ applied: true }` when the statement changed exactly `expected` rows (one by default: a
 * guarded write of one row by key and version). Both stores judge their writes by this rule.
 */
export function outcome(changed: bigint | undefined, expected = 1n): WriteOutcome {
  return changed === expected ? APPLIED : NOT_APPLIED;
}

// SQLite caps one statement at 32,766 bound parameters and PostgreSQL at 65,535; multi-row
// VALUES lists are best kept to a few hundred rows. Chunks stay well inside both.
const MAX_PARAMETERS = 32_000;
const MAX_ROWS = 500;

/** Splits `items` into chunks of at most 500 rows, each binding at most 32,000 parameters. */
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

/** Puts items found by id back in the order the ids were asked in (each id once). */
export function inOrderOf<T extends { readonly id: string }>(
  ids: readonly string[],
  items: readonly T[],
): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  return distinct(ids).flatMap((id) => byId.get(id) ?? []);
}
