import type { StockStore } from '@stockroom/core';
import { replayLedger, reservedMismatches } from '@stockroom/core/testing';

/**
 * The library's invariants 2 and 3 on a whole store: replaying the ledger from zero reproduces
 * every stock row (quantities and version), and each row's `reserved` equals the sum of its
 * ACTIVE reservation lines. Returns the problems found (at most a few of each), or [].
 */
export async function verifyStore(store: StockStore): Promise<string[]> {
  const problems: string[] = [];
  const replay = await replayLedger(store);
  if (replay.length > 0) {
    problems.push(
      `ledger replay: ${replay.length} mismatch(es), first ${JSON.stringify(replay.slice(0, 2))}`,
    );
  }
  const holds = await reservedMismatches(store);
  if (holds.length > 0) {
    problems.push(`reserved ≠ active holds: ${holds.length} row(s), first ${holds.slice(0, 3)}`);
  }
  return problems;
}
