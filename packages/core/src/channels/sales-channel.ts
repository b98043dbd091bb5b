/**
 * How a storefront is shown stock quantities (Vendure's `StockDisplayStrategy`):
 * - `exact`: the numbers as they are;
 * - `capped`: numbers up to `cap`; above it, `cap` shown as "`cap`+";
 * - `levels`: no numbers at all, only a {@link StockLevel} (`LOW_STOCK` at or below `lowStockAt`).
 */
export type DisplayStrategy =
  | { readonly kind: 'exact' }
  | { readonly kind: 'capped'; readonly cap: number }
  | { readonly kind: 'levels'; readonly lowStockAt: number };

/** The display strategies' names, for validation and docs. */
export const DISPLAY_KINDS = ['exact', 'capped', 'levels'] as const;

/** What `levels` shows instead of a number. */
export const StockLevel = {
  IN_STOCK: 'IN_STOCK',
  LOW_STOCK: 'LOW_STOCK',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
} as const;

/** One of the stock levels. */
export type StockLevel = (typeof StockLevel)[keyof typeof StockLevel];

/** The strategy of a channel that names none. */
export const EXACT_DISPLAY: DisplayStrategy = Object.freeze({ kind: 'exact' });

/**
 * A sales channel: a named set of warehouses a storefront sells from (Medusa sales channels ↔
 * stock locations, Saleor channel ↔ warehouse). Checks and reservations that name a channel see
 * and allocate from its warehouses only.
 */
export interface SalesChannel {
  readonly id: string;
  readonly name: string;
  /** The warehouses the channel sells from, sorted, without repeats (may be empty). */
  readonly warehouseIds: readonly string[];
  /** What callers bound to the channel are shown. @default exact */
  readonly display: DisplayStrategy;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The largest `cap` / `lowStockAt` a display strategy takes. */
export const MAX_DISPLAY_THRESHOLD = 1_000_000;

/** The most warehouses one channel may name. */
export const MAX_CHANNEL_WAREHOUSES = 1000;

/** Sorted, without repeats: the stored form of a channel's warehouse ids. */
export function normalizeWarehouseIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
}

/** A display strategy as text: `exact`, `capped:10`, `levels:5` (for config and storage). */
export function formatDisplayStrategy(strategy: DisplayStrategy): string {
  switch (strategy.kind) {
    case 'exact':
      return 'exact';
    case 'capped':
      return `capped:${strategy.cap}`;
    case 'levels':
      return `levels:${strategy.lowStockAt}`;
  }
}

/**
 * Reads {@link formatDisplayStrategy}'s text; undefined when it is not one. `levels` alone means
 * `levels:0` (only `IN_STOCK` and `OUT_OF_STOCK`).
 */
export function parseDisplayStrategy(text: string): DisplayStrategy | undefined {
  const match = /^(exact|capped|levels)(?::(\d{1,7}))?$/.exec(text.trim());
  if (!match) return undefined;
  const value = match[2] === undefined ? undefined : Number(match[2]);
  if (value !== undefined && value > MAX_DISPLAY_THRESHOLD) return undefined;
  switch (match[1]) {
    case 'exact':
      return value === undefined ? EXACT_DISPLAY : undefined;
    case 'capped':
      return value === undefined || value < 1 ? undefined : { kind: 'capped', cap: value };
    default:
      return { kind: 'levels', lowStockAt: value ?? 0 };
  }
}
