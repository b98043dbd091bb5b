import { type CartLimits, NO_CART_LIMITS } from '../domain/sku-policy.js';

/** Stockroom-wide selling rules; per-SKU policies override them. */
export interface SellabilitySettings {
  /** Cart limits of SKUs with no stored policy. @default no minimum, no maximum */
  readonly defaultCartLimits: CartLimits;
}

/** The default selling rules: no cart limits. */
export const DEFAULT_SELLABILITY_SETTINGS: SellabilitySettings = Object.freeze({
  defaultCartLimits: NO_CART_LIMITS,
});
