import type { SkuPolicy } from '../domain/sku-policy.js';
import type { SkuPolicyRows } from '../ports/sku-policies.js';

/**
 * The memory store's per-SKU policies: a map, with every write undone when the transaction it
 * ran in throws (`undo` is the transaction's undo log).
 */
export function memorySkuPolicyRows(
  policies: Map<string, SkuPolicy>,
  undo: Array<() => void>,
): SkuPolicyRows {
  const restore = (sku: string) => {
    const previous = policies.get(sku);
    undo.push(() => {
      if (previous === undefined) policies.delete(sku);
      else policies.set(sku, previous);
    });
  };
  return {
    get: async (skus) =>
      [...new Set(skus)]
        .map((sku) => policies.get(sku))
        .filter((policy): policy is SkuPolicy => policy !== undefined),
    put: async (next, expectedVersion) => {
      if ((policies.get(next.sku)?.version ?? 0) !== expectedVersion) return { applied: false };
      restore(next.sku);
      policies.set(next.sku, next);
      return { applied: true };
    },
    remove: async (sku) => {
      if (!policies.has(sku)) return false;
      restore(sku);
      policies.delete(sku);
      return true;
    },
  };
}
