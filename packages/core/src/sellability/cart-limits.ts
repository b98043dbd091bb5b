import {
  type BackorderRule,
  type CartLimits,
  cartLimitBroken,
  type SkuPolicy,
} from '../domain/sku-policy.js';
import { CartLimitExceededError } from '../errors/cart-limit-exceeded-error.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import type { StockTransaction } from '../ports/stock-store.js';

/**
 * The cart limits of each SKU: its stored policy's, else the defaults. One read for every SKU
 * of a reservation batch, in the batch's transaction.
 */
export async function loadCartLimits(
  transaction: StockTransaction,
  skus: readonly string[],
  defaults: CartLimits,
): Promise<ReadonlyMap<string, CartLimits>> {
  return cartLimitsOf(skus, await transaction.policies.get([...new Set(skus)]), defaults);
}

/** The cart limits of each SKU from its stored policy (read once by the caller), else the defaults. */
export function cartLimitsOf(
  skus: readonly string[],
  policies: readonly SkuPolicy[],
  defaults: CartLimits,
): ReadonlyMap<string, CartLimits> {
  const limits = new Map<string, CartLimits>(skus.map((sku) => [sku, defaults]));
  for (const policy of policies) {
    limits.set(policy.sku, { minPerCart: policy.minPerCart, maxPerCart: policy.maxPerCart });
  }
  return limits;
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
