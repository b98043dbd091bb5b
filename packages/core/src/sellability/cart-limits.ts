import {
  type BackorderRule,
  type CartLimits,
  cartLimitBroken,
  type SkuPolicy,
} from '../domain/sku-policy.js';
import { CartLimitExceededError } from '../errors/cart-limit-exceeded-error.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import type { StockTransaction } from '../ports/stock-store.js';

/** The selling rules a reservation batch decides with. */
export interface SellingRules {
  /** The cart limits of each SKU. */
  readonly limits: ReadonlyMap<string, CartLimits>;
  /** The SKUs whose policy allows preorders. */
  readonly allowPreorder: ReadonlySet<string>;
  /** The backorder rule of each SKU with a stored policy (the others deny backorders). */
  readonly backorders: ReadonlyMap<string, BackorderRule>;
}

/**
 * The cart limits of each SKU (its stored policy's, else the defaults), the SKUs that allow
 * preorders and the backorder rules. One read for every SKU of a reservation batch, in the
 * batch's transaction.
 */
export async function loadSellingRules(
  transaction: StockTransaction,
  skus: readonly string[],
  defaults: CartLimits,
): Promise<SellingRules> {
  const limits = new Map<string, CartLimits>(skus.map((sku) => [sku, defaults]));
  const allowPreorder = new Set<string>();
  const policies = await transaction.policies.get([...limits.keys()]);
  for (const policy of policies) {
    limits.set(policy.sku, { minPerCart: policy.minPerCart, maxPerCart: policy.maxPerCart });
    if (policy.allowPreorder) allowPreorder.add(policy.sku);
  }
  return { limits, allowPreorder, backorders: backorderRulesOf(policies) };
}

/** The backorder rule of each SKU with a stored policy (the others deny backorders). */
export function backorderRulesOf(
  policies: readonly SkuPolicy[],
): ReadonlyMap<string, BackorderRule> {
  return new Map(
    policies.map((policy) => [
      policy.sku,
      { backorderPolicy: policy.backorderPolicy, backorderLimit: policy.backorderLimit },
    ]),
  );
}

/**
 * The first SKU of a request whose units (summed over its items) break its cart limits, as the
 * error to refuse the request with, or null.
 */
export function cartLimitError(
  items: readonly { readonly sku: string; readonly quantity: number }[],
  limits: ReadonlyMap<string, CartLimits>,
): CartLimitExceededError | null {
  if (items.length === 1) {
    // The common one-item cart: no map of units.
    const [{ sku, quantity }] = items as readonly [(typeof items)[number]];
    const cart = limits.get(sku);
    const broken = cart ? cartLimitBroken(cart, quantity) : null;
    return broken ? new CartLimitExceededError({ sku, ...broken, requested: quantity }) : null;
  }
  const units = new Map<string, number>();
  for (const item of items) units.set(item.sku, (units.get(item.sku) ?? 0) + item.quantity);
  for (const [sku, requested] of units) {
    const cart = limits.get(sku);
    const broken = cart ? cartLimitBroken(cart, requested) : null;
    if (broken) return new CartLimitExceededError({ sku, ...broken, requested });
  }
  return null;
}

/** True when an error from `reserve` is a cart-limit refusal. */
export function isCartLimitExceeded(error: unknown): error is CartLimitExceededError {
  return isStockroomError(error) && error.code === 'CART_LIMIT_EXCEEDED';
}
