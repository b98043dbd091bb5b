import { fillBackorders } from '../backorders/fill-backorders.js';
import { type CloudEvent, EventType, type JsonValue } from '../domain/events.js';
import {
  createStock,
  emptyStockRow,
  type InventoryStock,
  quantitiesOf,
  recordDifference,
  type StockDeltas,
  type StockKey,
  type StockSettings,
  type StockTransition,
  subtractQuantities,
} from '../domain/inventory-stock.js';
import type { ChangeContext, Movement, MovementType } from '../domain/movement.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction, StockWrite, WriteOutcome } from '../ports/stock-store.js';
import { committedValues } from './cache-write-through.js';
import { createEvent, evaluateAlerts } from './low-stock.js';
import { recordFlush } from './pending-writes.js';
import type { CommitEffects, ServiceContext } from './service-context.js';

/** References a movement may carry. */
export interface MovementReferences {
  readonly reservationId?: string | null;
  readonly orderId?: string | null;
  readonly transferId?: string | null;
}

interface TrackedRow {
  readonly original: InventoryStock | null;
  current: InventoryStock;
}

/**
 * Inserts the rows a change set created, all at once: `{ applied: false }` when one of them
 * exists already (created concurrently), like `StockRows.insert` for one row.
 */
export type NewRowsInsert = (rows: readonly InventoryStock[]) => Promise<WriteOutcome>;

const conflict = (what: string) =>
  new VersionConflictError(`Concurrent change to ${what}`, { retryable: true });

/**
 * The unit of work of one store transaction: loads stock rows, applies movements to them in
 * memory (each bumps the row's version by one), collects events, then `flush` writes every
 * changed row once (guarded by version), appends the ledger and the outbox, raises and resolves
 * low-stock alerts and emits out-of-stock / back-in-stock events on SKU-level crossings.
 */
export class StockChangeSet {
  /** The tracked rows, in the order they were loaded or created. */
  private readonly rows: TrackedRow[] = [];
  /**
   * The tracked rows of each SKU, in the same order: rows are found through their SKU, not by
   * a key text made for every lookup (a bulk chunk looks each of its rows up four times).
   */
  private readonly rowsBySku = new Map<string, TrackedRow[]>();
  private readonly loaded = new Set<string>();
  private readonly movements: Movement[] = [];
  private readonly events: CloudEvent[] = [];
  private readonly exhausted = new Set<string>();
  private readonly offered = new Set<string>();
  private readonly backorderable = new Set<string>();

  /**
   * @param insertAll takes the created rows in one call on flush (a bulk chunk's thousands of
   * new rows), instead of one awaited `transaction.stock.insert` each
   */
  constructor(
    private readonly transaction: StockTransaction,
    private readonly context: ServiceContext,
    readonly now: Date,
    private readonly insertAll?: NewRowsInsert,
  ) {}

  /** Loads every row of the given SKUs (once per SKU); with `lock`, in canonical lock order. */
  async load(skus: Iterable<string>, options: { readonly lock?: boolean } = {}): Promise<void> {
    const wanted = [...new Set(skus)].filter((sku) => !this.loaded.has(sku)).sort();
    if (wanted.length === 0) return;
    const rows = await this.transaction.stock.read(wanted, options);
    for (const sku of wanted) this.loaded.add(sku);
    for (const row of rows) this.track(row, { original: row, current: row });
  }

  private track(key: StockKey, row: TrackedRow): void {
    const ofSku = this.rowsBySku.get(key.sku);
    if (ofSku === undefined) {
      this.rowsBySku.set(key.sku, [row]);
      this.rows.push(row);
      return;
    }
    const at = ofSku.findIndex((tracked) => tracked.current.warehouseId === key.warehouseId);
    if (at < 0) {
      ofSku.push(row);
      this.rows.push(row);
      return;
    }
    // A row created here and then read from the store (created concurrently) takes its place.
    this.rows[this.rows.indexOf(ofSku[at]!)] = row;
    ofSku[at] = row;
  }

  /** The tracked row of `key`, or undefined. */
  private find(key: StockKey): TrackedRow | undefined {
    const ofSku = this.rowsBySku.get(key.sku);
    if (ofSku === undefined) return undefined;
    const warehouseId = key.warehouseId;
    for (const row of ofSku) if (row.current.warehouseId === warehouseId) return row;
    return undefined;
  }

  /** Loads the SKUs, taking row locks for those the locking policy marks pessimistic. */
  async loadForWrite(skus: Iterable<string>): Promise<void> {
    const all = [...new Set(skus)];
    const lock = all.some((sku) => this.context.lockingPolicy(sku) === 'pessimistic');
    await this.load(all, { lock });
  }

  /** The row as changed so far, or undefined when it does not exist. */
  row(key: StockKey): InventoryStock | undefined {
    return this.find(key)?.current;
  }

  /** A row's `total` as read (0 for a row this change set creates). */
  originalTotal(key: StockKey): number {
    return this.find(key)?.original?.total ?? 0;
  }

  /** Every row of a loaded SKU as changed so far. */
  rowsOf(sku: string): InventoryStock[] {
    return this.rowsBySku.get(sku)?.map((row) => row.current) ?? [];
  }

  /** The row, created empty (to be inserted on flush) when it does not exist. */
  ensureRow(key: StockKey, settings?: Partial<StockSettings>): InventoryStock {
    const existing = this.row(key);
    if (existing) return existing;
    const defaults = this.context.defaultStockSettings;
    const created =
      settings === undefined
        ? emptyStockRow(key, this.now, defaults)
        : createStock(key, this.now, { ...defaults, ...settings });
    this.track(key, { original: null, current: created });
    return created;
  }

  /**
   * Applies one movement to a row through a domain transition (`reserve`, `sell`, `restock`…):
   * the movement's deltas are what the transition changed.
   * @throws what the transition throws (INSUFFICIENT_STOCK…); nothing is changed then
   */
  apply(
    key: StockKey,
    type: MovementType,
    transition: StockTransition,
    references: MovementReferences,
    context: ChangeContext,
  ): Movement {
    const tracked = this.find(key);
    if (!tracked) throw new RangeError(`row ${key.sku}@${key.warehouseId} was not loaded`);
    const previous = tracked.current;
    const next = transition(previous, this.now);
    tracked.current = next;
    return this.record(next, type, subtractQuantities(next, previous), references, context);
  }

  /**
   * Records in the ledger a difference the row already holds but the ledger does not explain
   * (reconciliation): appends one movement of `type` with `difference` as its deltas and the
   * row's unchanged quantities as `after`, and bumps the row's version. Replaying the ledger
   * then gives the row's quantities again.
   */
  recordDifference(
    key: StockKey,
    type: MovementType,
    difference: StockDeltas,
    context: ChangeContext,
  ): Movement {
    const tracked = this.find(key);
    if (!tracked) throw new RangeError(`row ${key.sku}@${key.warehouseId} was not loaded`);
    const next = recordDifference(tracked.current, this.now);
    tracked.current = next;
    return this.record(next, type, difference, {}, context);
  }

  private record(
    next: InventoryStock,
    type: MovementType,
    change: StockDeltas,
    references: MovementReferences,
    context: ChangeContext,
  ): Movement {
    const movement: Movement = {
      id: this.context.ids.next('movement'),
      sku: next.sku,
      warehouseId: next.warehouseId,
      type,
      deltas: change,
      after: quantitiesOf(next),
      version: next.version,
      reservationId: references.reservationId ?? null,
      orderId: references.orderId ?? null,
      transferId: references.transferId ?? null,
      reference: context.reference ?? null,
      idempotencyKey: context.idempotencyKey ?? null,
      actor: context.actor ?? null,
      reason: context.reason ?? null,
      createdAt: this.now,
    };
    this.movements.push(movement);
    return movement;
  }

  /** Queues an event for the outbox. */
  emit(
    type: CloudEvent['type'],
    subject: string,
    data: { readonly [key: string]: JsonValue },
  ): void {
    this.events.push(createEvent(this.context, type, subject, data, this.now));
  }

  /**
   * Marks a SKU sold out although nothing changed (a refused crowd found nothing left): the
   * flush reports it in `soldOut`.
   */
  markSoldOut(sku: string): void {
    this.exhausted.add(sku);
  }

  /**
   * Never reports the SKU sold out (a SKU that allows preorders still takes reservations when
   * its rows have nothing available).
   */
  keepOffered(sku: string): void {
    this.offered.add(sku);
  }

  /**
   * Marks a SKU as taking backorders (its policy is `CONTINUE`): it is never reported sold out,
   * so a sold-out guard never refuses its reservations.
   */
  keepSellable(sku: string): void {
    this.backorderable.add(sku);
  }

  /** Whether there is nothing to write: no movement, event, new row or sold-out mark. */
  get isEmpty(): boolean {
    if (this.movements.length > 0 || this.events.length > 0 || this.exhausted.size > 0)
      return false;
    for (const row of this.rows) if (row.original === null) return false;
    return true;
  }

  /**
   * Writes everything. Throws a retryable VERSION_CONFLICT when a guarded write lost (the caller's
   * transaction then rolls back and the retry policy runs it again).
   */
  async flush(): Promise<CommitEffects> {
    // Restocked units fill waiting backorders before they become sellable to anyone else.
    await fillBackorders(this, this.transaction, this.changedRows());
    const changed = this.rows.filter(
      (row) => row.original === null || row.current.version !== row.original.version,
    );
    const touched = new Set(changed.map((row) => row.current.sku));
    const writes: StockWrite[] = [];
    const unchanged: InventoryStock[] = [];
    for (const row of this.rows) {
      if (!touched.has(row.current.sku) || row.original === null) continue;
      if (row.current.version === row.original.version) unchanged.push(row.original);
      else {
        writes.push({
          before: row.original,
          next: row.current,
          deltas: {
            available: row.current.available - row.original.available,
            reserved: row.current.reserved - row.original.reserved,
            damaged: row.current.damaged - row.original.damaged,
            inTransit: row.current.inTransit - row.original.inTransit,
            backordered: row.current.backordered - row.original.backordered,
          },
        });
      }
    }
    if (this.insertAll) {
      const created: InventoryStock[] = [];
      for (const row of changed) if (row.original === null) created.push(row.current);
      if (created.length > 0 && !(await this.insertAll(created)).applied)
        throw conflict('stock rows (created concurrently)');
    } else {
      for (const row of changed) {
        if (row.original !== null) continue;
        const outcome = await this.transaction.stock.insert(row.current);
        if (!outcome.applied)
          throw conflict(`${row.current.sku}@${row.current.warehouseId} (created concurrently)`);
      }
    }
    if (writes.length > 0) {
      const outcome = await this.transaction.stock.update(writes, unchanged);
      if (!outcome.applied) throw conflict([...touched].join(', '));
    }
    if (this.movements.length > 0) await this.transaction.ledger.append(this.movements);

    for (const row of changed) {
      const current = row.current;
      this.emit(EventType.STOCK_UPDATED, current.sku, {
        sku: current.sku,
        warehouseId: current.warehouseId,
        available: current.available,
        reserved: current.reserved,
        damaged: current.damaged,
        inTransit: current.inTransit,
        backordered: current.backordered,
        total: current.total,
        version: current.version,
      });
    }
    this.events.push(
      ...(await evaluateAlerts(
        this.transaction,
        this.context,
        changed.map((row) => ({ before: row.original, after: row.current })),
        this.now,
      )),
    );
    const replenished: string[] = [];
    const soldOut: string[] = [];
    // SKU-level sums in one pass over the rows (a bulk chunk holds thousands of SKUs).
    const sums = new Map<string, { before: number; after: number }>();
    for (const row of this.rows) {
      if (!touched.has(row.current.sku)) continue;
      const sum = sums.get(row.current.sku) ?? { before: 0, after: 0 };
      sum.before += row.original?.available ?? 0;
      sum.after += row.current.available;
      sums.set(row.current.sku, sum);
    }
    for (const sku of touched) {
      const { before, after } = sums.get(sku) ?? { before: 0, after: 0 };
      if (after > 0) replenished.push(sku);
      else soldOut.push(sku);
      if (before > 0 && after === 0) this.emit(EventType.OUT_OF_STOCK, sku, { sku, available: 0 });
      if (before === 0 && after > 0)
        this.emit(EventType.BACK_IN_STOCK, sku, { sku, available: after });
    }
    await this.dropBackorderable(soldOut);
    if (this.events.length > 0) await this.transaction.outbox.append(this.events);
    for (const sku of soldOut) this.exhausted.delete(sku);
    // The committed values feed the cache's write-through and the sold-out guard's versions.
    const values =
      this.context.cache || this.context.soldOutGuard
        ? committedValues(this.trackedRows(), touched, this.loaded)
        : undefined;
    const effects: CommitEffects = {
      touched: [...touched],
      replenished,
      soldOut: [...soldOut, ...this.exhausted].filter((sku) => !this.offered.has(sku)),
      ...(values ? { values } : {}),
    };
    recordFlush(this.transaction, effects);
    return effects;
  }

  /** The rows this change set created or changed so far. */
  private *changedRows(): Iterable<InventoryStock> {
    for (const row of this.rows) {
      if (row.original === null || row.current.version !== row.original.version) yield row.current;
    }
  }

  /**
   * Leaves out of `soldOut` the SKUs that take backorders: with a sold-out guard, the policies
   * of the SKUs about to be marked are read (only then, and only for those).
   */
  private async dropBackorderable(soldOut: string[]): Promise<void> {
    const marked = [...soldOut, ...this.exhausted];
    if (!this.context.soldOutGuard || marked.length === 0) return;
    const unknown = marked.filter((sku) => !this.backorderable.has(sku));
    if (unknown.length > 0) {
      for (const policy of await this.transaction.policies.get([...new Set(unknown)]))
        if (policy.backorderPolicy === 'CONTINUE') this.backorderable.add(policy.sku);
    }
    const kept = soldOut.filter((sku) => !this.backorderable.has(sku));
    soldOut.splice(0, soldOut.length, ...kept);
    for (const sku of this.backorderable) this.exhausted.delete(sku);
  }

  private *trackedRows(): Iterable<InventoryStock> {
    for (const row of this.rows) yield row.current;
  }
}
