import { type CartLimits, cartLimitBroken } from '../domain/sku-policy.js';
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
  const limits = new Map<string, CartLimits>(skus.map((sku) => [sku, defaults]));
  for (const policy of await transaction.policies.get([...limits.keys()])) {
    limits.set(policy.sku, { minPerCart: policy.minPerCart, maxPerCart: policy.maxPerCart });
  }
  return limits;
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
