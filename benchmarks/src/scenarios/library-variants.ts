import type { HotVariant } from '../hot-sku-workload.js';
import type { ScenarioContext } from '../scenario.js';
import { openStore, type StoreKind } from '../stores.js';
import { createLibraryTarget, type LibraryVariant } from '../targets/library-target.js';

/** A hot-SKU variant: the library on a fresh store of `kind`. */
export function libraryVariant(
  context: ScenarioContext,
  label: string,
  kind: StoreKind,
  variant: LibraryVariant,
): HotVariant {
  return {
    label,
    async open() {
      const handle = await openStore(kind, context, label);
      if ('skipped' in handle) return handle;
      try {
        return await createLibraryTarget(handle, variant);
      } catch (error) {
        await handle.dispose().catch(() => undefined);
        throw error;
      }
    },
  };
}

/** `numerator ÷ denominator`, or null when either is missing or the denominator is 0. */
export function ratioOf(numerator: number | null, denominator: number | null): number | null {
  if (numerator === null || denominator === null || denominator === 0) return null;
  return numerator / denominator;
}
