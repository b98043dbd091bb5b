/**
 * Whether a SKU may be reserved beyond what is sellable: `DENY` refuses (INSUFFICIENT_STOCK),
 * `CONTINUE` records the excess as backordered units waiting for a restock.
 */
export const BackorderPolicy = {
  DENY: 'DENY',
  CONTINUE: 'CONTINUE',
} as const;

/** One of the backorder policies. */
export type BackorderPolicy = (typeof BackorderPolicy)[keyof typeof BackorderPolicy];

/** A SKU's backorder rule: its policy and, with `CONTINUE`, the most backordered units per row. */
export interface BackorderRule {
  /** @default 'DENY' */
  readonly backorderPolicy: BackorderPolicy;
  /** The most backordered units one stock row may carry; `null` for no limit. @default null */
  readonly backorderLimit: number | null;
}

/** The rule of a SKU with no stored policy: no backorders. */
export const NO_BACKORDERS: BackorderRule = Object.freeze({
  backorderPolicy: BackorderPolicy.DENY,
  backorderLimit: null,
});

/**
 * The selling rules of one SKU, over every warehouse: how many units one reservation (one
 * cart) may hold, and whether it may be reserved beyond what is sellable (backorders). A SKU
 * with no stored policy uses the stockroom's default cart limits and `DENY`.
 */
export interface SkuPolicy extends BackorderRule {
  readonly sku: string;
  /** The fewest units of the SKU one reservation may hold; `null` for no minimum. */
  readonly minPerCart: number | null;
  /** The most units of the SKU one reservation may hold; `null` for no maximum. */
  readonly maxPerCart: number | null;
  /**
   * When sellable units run out, reservations may take units of the SKU's open incoming
   * receipts (preorders). @default false
   */
  readonly allowPreorder: boolean;
  /** Counts the policy's changes (1 for a new policy). */
  readonly version: number;
  readonly updatedAt: Date;
}

/** Cart limits applied to SKUs with no stored policy. */
export interface CartLimits {
  /** @default null (no minimum) */
  readonly minPerCart: number | null;
  /** @default null (no maximum) */
  readonly maxPerCart: number | null;
}

/** No limits. */
export const NO_CART_LIMITS: CartLimits = Object.freeze({ minPerCart: null, maxPerCart: null });

/** Which limit a quantity breaks, or null when it is within both. */
export function cartLimitBroken(
  limits: CartLimits,
  quantity: number,
): { readonly limit: 'MIN' | 'MAX'; readonly value: number } | null {
  if (limits.minPerCart !== null && quantity < limits.minPerCart)
    return { limit: 'MIN', value: limits.minPerCart };
  if (limits.maxPerCart !== null && quantity > limits.maxPerCart)
    return { limit: 'MAX', value: limits.maxPerCart };
  return null;
}
