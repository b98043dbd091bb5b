import { type IncomingReceipt, preorderableOf } from '../domain/incoming-receipt.js';
import { isAllocatable, type Warehouse } from '../domain/warehouse.js';
import type { ServiceContext } from '../services/service-context.js';

/** What a reservation would preorder of a SKU: how many units, and when the last is expected. */
export interface PreorderOffer {
  /** Units a reservation would take from incoming receipts (not held until received). */
  readonly quantity: number;
  /** When the last of those units is expected (the latest receipt they come from). */
  readonly expectedAt: Date;
}

/**
 * The policies and open receipts of some SKUs, read now in one store transaction: what checks
 * (which never decide a reservation) need to say whether the short units would be preordered.
 */
export async function readPreorderState(
  context: ServiceContext,
  skus: readonly string[],
): Promise<{ allowPreorder: ReadonlySet<string>; receipts: readonly IncomingReceipt[] }> {
  return context.store.transaction(async (transaction) => {
    const policies = await transaction.policies.get(skus);
    const allowPreorder = new Set(
      policies.filter((policy) => policy.allowPreorder).map((policy) => policy.sku),
    );
    const receipts =
      allowPreorder.size > 0 && transaction.receipts
        ? await transaction.receipts.open([...allowPreorder])
        : [];
    return { allowPreorder, receipts };
  });
}

/**
 * The open receipts of `sku` in allocatable warehouses (inside `channel` when given), or null
 * when the SKU does not allow preorders.
 */
async function usableReceipts(
  context: ServiceContext,
  sku: string,
  warehouses: readonly Warehouse[],
  channel: ReadonlySet<string> | undefined,
): Promise<readonly IncomingReceipt[] | null> {
  const { allowPreorder, receipts } = await readPreorderState(context, [sku]);
  if (!allowPreorder.has(sku)) return null;
  const usable = new Set(
    warehouses
      .filter((warehouse) => isAllocatable(warehouse) && (!channel || channel.has(warehouse.id)))
      .map((warehouse) => warehouse.id),
  );
  return receipts.filter((receipt) => receipt.sku === sku && usable.has(receipt.warehouseId));
}

/**
 * The preorder a reservation of `missing` more units of `sku` would make, or null when the SKU
 * does not allow preorders or its open receipts (in allocatable warehouses, inside `channel`
 * when given) cannot cover them.
 */
export async function preorderOffer(
  context: ServiceContext,
  sku: string,
  missing: number,
  warehouses: readonly Warehouse[],
  channel: ReadonlySet<string> | undefined,
): Promise<PreorderOffer | null> {
  const receipts = await usableReceipts(context, sku, warehouses, channel);
  if (!receipts) return null;
  let left = missing;
  let expectedAt: Date | null = null;
  for (const receipt of receipts) {
    if (left === 0) break;
    const units = Math.min(preorderableOf(receipt), left);
    if (units <= 0) continue;
    left -= units;
    expectedAt = receipt.expectedAt;
  }
  return left === 0 && expectedAt ? { quantity: missing, expectedAt } : null;
}

/** Units of a SKU its open receipts may still promise to preorders, and the earliest date. */
export interface PreorderableUnits {
  /** Units of the open receipts not received nor preordered yet (in the warehouses seen). */
  readonly quantity: number;
  /** When the earliest receipt with such units is expected. */
  readonly earliestExpectedAt: Date;
}

/**
 * What a storefront may still offer on preorder, whatever is sellable now: the units of the
 * SKU's open receipts (in allocatable warehouses, inside `channel` when given) that are neither
 * received nor promised, or null when the SKU does not allow preorders or none are left.
 */
export async function preorderableUnits(
  context: ServiceContext,
  sku: string,
  warehouses: readonly Warehouse[],
  channel: ReadonlySet<string> | undefined,
): Promise<PreorderableUnits | null> {
  const receipts = await usableReceipts(context, sku, warehouses, channel);
  if (!receipts) return null;
  let quantity = 0;
  let earliest: Date | null = null;
  for (const receipt of receipts) {
    const units = preorderableOf(receipt);
    if (units <= 0) continue;
    quantity += units;
    if (earliest === null || receipt.expectedAt.getTime() < earliest.getTime())
      earliest = receipt.expectedAt;
  }
  return earliest === null ? null : { quantity, earliestExpectedAt: earliest };
}
