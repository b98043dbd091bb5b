import type { StockDeltas, StockKey, StockQuantities } from './inventory-stock.js';

/** Every kind of change the ledger records. */
export const MovementType = {
  RESTOCK: 'RESTOCK',
  SALE: 'SALE',
  RESERVATION: 'RESERVATION',
  RELEASE: 'RELEASE',
  EXPIRATION: 'EXPIRATION',
  REFUND: 'REFUND',
  RETURN: 'RETURN',
  TRANSFER_OUT: 'TRANSFER_OUT',
  TRANSFER_IN: 'TRANSFER_IN',
  ADJUSTMENT: 'ADJUSTMENT',
  DAMAGE: 'DAMAGE',
  /** Damaged units leave the books (damaged → gone); carries a reason. */
  WRITE_OFF: 'WRITE_OFF',
  /** Damaged units found sellable again (damaged → available). */
  RESTORE: 'RESTORE',
  /**
   * A restock fills a reservation line's backordered units (backordered → reserved, or → sold
   * for a committed reservation); carries the reservation id.
   */
  BACKORDER_FILL: 'BACKORDER_FILL',
} as const;

/** One of the ledger's movement types. */
export type MovementType = (typeof MovementType)[keyof typeof MovementType];

/** Who did a thing, why, and on which document. Every command takes one (all optional). */
export interface ChangeContext {
  /** Who: a user id, an API key's name, `system:expiry`, … */
  readonly actor?: string;
  /** Why, in words. */
  readonly reason?: string;
  /** An external document id (a purchase order, a cycle-count sheet, …). */
  readonly reference?: string;
  /** Makes the command take effect at most once; see the idempotency section of the README. */
  readonly idempotencyKey?: string;
  /** Namespaces idempotency keys (the server uses the API key). Default `default`. */
  readonly idempotencyScope?: string;
  /** Called when the command was not run again but answered from its idempotency record. */
  readonly onReplay?: () => void;
  /**
   * Called, after the commit, when this call made the change itself: `reservations.commit` and
   * `release` call it when they moved the reservation out of ACTIVE (not for a replay, nor for
   * a reservation that was already COMMITTED / RELEASED). Lets a caller count outcomes without
   * reading the reservation first.
   */
  readonly onChanged?: () => void;
}

/**
 * One append-only ledger row: a change to one stock row. `version` is the row's version after
 * this movement, so a row's movements ordered by version replay to it exactly.
 */
export interface Movement extends StockKey {
  readonly id: string;
  readonly type: MovementType;
  /** The signed change per bucket. */
  readonly deltas: StockDeltas;
  /** The row's quantities after the change (before = after - deltas). */
  readonly after: StockQuantities;
  readonly version: number;
  readonly reservationId: string | null;
  readonly orderId: string | null;
  readonly transferId: string | null;
  readonly reference: string | null;
  readonly idempotencyKey: string | null;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly createdAt: Date;
}
