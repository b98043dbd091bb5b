import type { StockKey } from '../domain/inventory-stock.js';
import type { Reservation, ReservationStatus } from '../domain/reservation.js';
import type { Page, PageRequest } from './page.js';
import type { WriteOutcome } from './write-outcome.js';

/**
 * Filters of a reservation listing; every given one must match. Ranges are half-open: `from`
 * inclusive, `to` exclusive.
 */
export interface ReservationFilter {
  /** Reservations with a line of this SKU. */
  readonly sku?: string;
  /** Reservations with a line in this warehouse (the same line as `sku` when both are given). */
  readonly warehouseId?: string;
  readonly status?: ReservationStatus;
  readonly orderId?: string;
  /** Created at or after this instant. */
  readonly createdFrom?: Date;
  /** Created before this instant. */
  readonly createdTo?: Date;
  /** Expiring at or after this instant. */
  readonly expiresFrom?: Date;
  /** Expiring before this instant. */
  readonly expiresTo?: Date;
}

/** Reservations inside a transaction. */
export interface ReservationRows {
  /**
   * Reservations by id (missing ones are left out). With `lock`, locked until the transaction ends.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(ids: readonly string[], options?: { readonly lock?: boolean }): Promise<Reservation[]>;
  /**
   * Inserts new reservations with their lines.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable; also when an id exists already,
   *   which only a concurrent insert of the same id can cause)
   */
  insert(reservations: readonly Reservation[]): Promise<void>;
  /**
   * Stores `next` where the stored version equals `expectedVersion`; `{ applied: false }` otherwise.
   * The lines are stored as given when `options.lines` is set (a changed hold, a partial commit
   * or release: lines added, cut, dropped or their `committed`/`released` moved); without it
   * only their `refunded` may differ from what is stored.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  update(
    next: Reservation,
    expectedVersion: number,
    options?: { readonly lines?: boolean },
  ): Promise<WriteOutcome>;
  /**
   * `update` for several reservations in one round trip; `{ applied: false }` when any stored
   * version moved (the caller then rolls back). Optional: without it, `update` runs per item.
   * Only their `refunded` may differ from the stored lines (changed lines go through `update`).
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  updateMany?(
    items: readonly { readonly next: Reservation; readonly expectedVersion: number }[],
  ): Promise<WriteOutcome>;
  /**
   * Up to `limit` ACTIVE reservations with `expiresAt <= now`, oldest expiry first, locked.
   * Where `capabilities.skipLocked`, rows locked by another transaction are skipped, so two
   * sweepers never claim the same reservation.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  claimDue(now: Date, limit: number): Promise<Reservation[]>;
  /**
   * The ACTIVE and COMMITTED reservations with a line on one of `keys` that still waits for
   * backordered units (`backordered > 0`), oldest first (`createdAt`, then `id`): the queue a
   * restock fills, first reserved, first served. Not locked: the filler stores its changes by
   * compare-and-set.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  waitingBackorders(keys: readonly StockKey[]): Promise<Reservation[]>;
  /**
   * Every reservation of an order, oldest first.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  listByOrder(orderId: string): Promise<Reservation[]>;
}

/** Reservations outside transactions (possibly from a replica). */
export interface ReservationReads {
  /**
   * One reservation, or null.
   * @throws STORE_UNAVAILABLE
   */
  reservation(id: string): Promise<Reservation | null>;
  /**
   * Units held by ACTIVE reservation lines (`quantity − committed − released − preordered − backordered`) per
   * (sku, warehouseId), for reconciliation.
   * @throws STORE_UNAVAILABLE
   */
  activeHolds(): Promise<Array<StockKey & { readonly quantity: number }>>;
  /**
   * Units that ACTIVE and COMMITTED reservation lines still wait for (their `backordered`) per
   * (sku, warehouseId), only where some wait, sorted by (sku, warehouseId): what each row's
   * `backordered` bucket must hold, for reconciliation.
   * @throws STORE_UNAVAILABLE
   */
  waitingBackorderUnits(): Promise<Array<StockKey & { readonly quantity: number }>>;
  /**
   * Reservations in a status, oldest first, paged.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  reservationsByStatus(status: ReservationStatus, page: PageRequest): Promise<Page<Reservation>>;
  /**
   * Reservations matching every filter, newest first by (createdAt, id), paged with a keyset
   * cursor: paging to the end serves exactly once each reservation that existed before the first
   * page and matched all along, whatever is created meanwhile (newer ones sort before the
   * cursor). The core checks the filter before it gets here.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  reservations(filter: ReservationFilter, page: PageRequest): Promise<Page<Reservation>>;
}
