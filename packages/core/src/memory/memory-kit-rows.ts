import type { Kit } from '../kits/kit.js';
import type { KitRows } from '../kits/kit-rows.js';

const APPLIED = { applied: true } as const;
const NOT_APPLIED = { applied: false } as const;

/**
 * The memory store's kits: a map written through the transaction's undo log (`put` and
 * `remove` record how to put the previous value back).
 */
export function memoryKitRows(kits: Map<string, Kit>, undo: Array<() => void>): KitRows {
  const set = (sku: string, value: Kit | undefined) => {
    const previous = kits.get(sku);
    if (value === undefined) kits.delete(sku);
    else kits.set(sku, value);
    undo.push(() => {
      if (previous === undefined) kits.delete(sku);
      else kits.set(sku, previous);
    });
  };
  return {
    get: async (skus) => [...new Set(skus)].flatMap((sku) => kits.get(sku) ?? []),
    list: async () =>
      [...kits.values()].sort((left, right) =>
        left.sku < right.sku ? -1 : left.sku > right.sku ? 1 : 0,
      ),
    put: async (next, expectedVersion) => {
      if ((kits.get(next.sku)?.version ?? 0) !== expectedVersion) return NOT_APPLIED;
      set(next.sku, next);
      return APPLIED;
    },
    remove: async (sku, expectedVersion) => {
      if (kits.get(sku)?.version !== expectedVersion) return NOT_APPLIED;
      set(sku, undefined);
      return APPLIED;
    },
  };
}
