import type { GroupOutcome } from '../concurrency/write-lanes.js';
import { MAX_QUANTITY } from '../domain/ids.js';
import {
  adjustAvailable,
  createStock,
  type InventoryStock,
  type StockSettings,
} from '../domain/inventory-stock.js';
import type { ChangeContext, Movement } from '../domain/movement.js';
import type { Warehouse } from '../domain/warehouse.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { KitNotStockableError } from '../errors/kit-not-stockable-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import { kitsAmong, refuseKitRow } from '../kits/refuse-kits.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { settingsEffects } from '../sellability/settings-effects.js';
import { ADJUSTMENT_TYPES, type AdjustmentType, movementOf } from './adjustment-movements.js';
import {
  BULK_BATCH_SIZE,
  type BulkUpdateFailure,
  type BulkUpdateRequest,
  type BulkUpdateResult,
  bulkFingerprintRequest,
  bulkResultOf,
  runBulkUpdate,
} from './bulk-update.js';
import { ensureCapacity } from './capacity.js';
import {
  checkDamagedUnits,
  checkDamagedUnitsContext,
  isDamagedUnitsType,
} from './damaged-units.js';
import { fingerprint, lookupIdempotency, runIdempotent, storeIdempotency } from './idempotency.js';
import { reconcileRowAlert } from './low-stock.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { fillBackordersAfterSettings } from './settings-backorders.js';
import {
  mergeEffects,
  NO_EFFECTS,
  runGroupedStockChange,
  runStockChange,
  type StockChangeGroup,
  stockChangeGroup,
} from './stock-change.js';
import { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

export { ADJUSTMENT_TYPES, type AdjustmentType } from './adjustment-movements.js';

/** A manual change to one stock row. */
export interface AdjustRequest {
  readonly sku: string;
  readonly warehouseId: string;
  /**
   * `RESTOCK` (+available; creates the row), `RETURN` (+available), `DAMAGE` (available →
   * damaged), `ADJUSTMENT` (signed, non-zero: a cycle-count correction of available),
   * `WRITE_OFF` (damaged → gone; needs `context.reason`), `RESTORE` (damaged → available).
   */
  readonly type: AdjustmentType;
  /** Positive for every type but `ADJUSTMENT`, which takes a signed non-zero quantity. */
  readonly quantity: number;
  /** Compare-and-set: refuse unless the row is at this version (a missing row is version 0). */
  readonly expectedVersion?: number;
}

/** The result of an adjustment: the row after it and its ledger movement. */
export interface AdjustResult {
  readonly stock: InventoryStock;
  readonly movement: Movement;
}

/** A request to change a row's settings; absent fields keep their value. */
export interface SettingsRequest extends Partial<StockSettings> {
  readonly sku: string;
  readonly warehouseId: string;
}

interface AdjustJob {
  readonly request: AdjustRequest;
  readonly context: ChangeContext;
}

interface AdjustOutcome {
  readonly result: AdjustResult;
  readonly replayed: boolean;
}

/** Tuning of the adjustment service. */
export interface AdjustmentSettings {
  /**
   * Items per chunk of `bulkUpdate` (one store transaction each, unless atomic); a keyed retry
   * keeps the size its import started with. @default 1000
   */
  readonly bulkBatchSize: number;
  /**
   * Chunk transactions of a non-atomic `bulkUpdate` in flight at once: 2 reads, plans and writes
   * the next chunk while the one before is being written (a store that takes concurrent
   * writers), 1 writes them one after the other. @default 1
   */
  readonly bulkChunksInFlight?: 1 | 2;
}

/** Restock, return, damage, corrections, bulk imports and settings. */
export class AdjustmentService {
  private readonly adjustGroup: StockChangeGroup<AdjustJob, AdjustOutcome>;

  constructor(
    private readonly context: ServiceContext,
    readonly settings: AdjustmentSettings = { bulkBatchSize: BULK_BATCH_SIZE },
  ) {
    this.adjustGroup = stockChangeGroup(context, {
      apply: (...args) => this.applyAdjustments(...args),
    });
  }

  /**
   * Applies one manual change as one ledger movement.
   * @throws VALIDATION_FAILED (also a WRITE_OFF without a reason), NOT_FOUND (warehouse, or
   *   the row for DAMAGE, WRITE_OFF, RESTORE), INSUFFICIENT_STOCK (taking more than available,
   *   or more than damaged for WRITE_OFF and RESTORE), VERSION_CONFLICT (`expectedVersion`
   *   does not match; not retryable), CAPACITY_EXCEEDED, IDEMPOTENCY_KEY_REUSED,
   *   KIT_NOT_STOCKABLE (the SKU is a kit)
   */
  async adjust(request: AdjustRequest, context: ChangeContext = {}): Promise<AdjustResult> {
    const check = validate().id(request.sku, 'sku').id(request.warehouseId, 'warehouseId');
    check.oneOf(request.type, 'type', ADJUSTMENT_TYPES);
    if (request.type === 'ADJUSTMENT') check.signedQuantity(request.quantity, 'quantity');
    else check.quantity(request.quantity, 'quantity');
    if (request.expectedVersion !== undefined) {
      check.integer(request.expectedVersion, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER);
    }
    check.done();
    if (isDamagedUnitsType(request.type)) checkDamagedUnitsContext(request.type, context);
    return this.context.keyed.run(context, 'adjust', request, async () => {
      const outcome = await runGroupedStockChange(this.context, this.adjustGroup, [request.sku], {
        request,
        context,
      });
      if (outcome.replayed) context.onReplay?.();
      return outcome.result;
    });
  }

  /**
   * Adjustments meeting in a lane's batch share one change set: the rows are read once and
   * written once, whatever the number of adjustments (a restock crowd on one row costs one
   * guarded UPDATE). Each adjustment is checked on the row as the ones before it left it; a
   * refused one changes nothing and fails alone.
   */
  private async applyAdjustments(
    changes: StockChangeSet,
    transaction: StockTransaction,
    jobs: readonly AdjustJob[],
  ): Promise<GroupOutcome<AdjustOutcome>[]> {
    const now = changes.now;
    await changes.loadForWrite(jobs.map((job) => job.request.sku));
    const warehouses = new Map(
      (
        await transaction.warehouses.get([...new Set(jobs.map((job) => job.request.warehouseId))])
      ).map((warehouse) => [warehouse.id, warehouse]),
    );
    // A SKU with no row yet may be a kit, which is never stocked.
    const kits = await kitsAmong(transaction, [
      ...new Set(
        jobs.map((job) => job.request.sku).filter((sku) => changes.rowsOf(sku).length === 0),
      ),
    ]);
    const outcomes: GroupOutcome<AdjustOutcome>[] = [];
    const keyed: Array<{ job: AdjustJob; print: string; result: AdjustResult }> = [];
    for (const job of jobs) {
      const { request, context } = job;
      const print = context.idempotencyKey ? fingerprint('adjust', request) : '';
      let applied = false;
      try {
        if (context.idempotencyKey) {
          const found = await lookupIdempotency<AdjustResult>(transaction, context, print);
          if (found.kind === 'conflict') throw found.error;
          if (found.kind === 'replay') {
            outcomes.push({ ok: true, value: { result: found.result, replayed: true } });
            continue;
          }
        }
        if (kits.has(request.sku)) throw new KitNotStockableError(request.sku);
        const warehouse = warehouses.get(request.warehouseId);
        if (!warehouse) throw new NotFoundError('warehouse', request.warehouseId);
        const key = { sku: request.sku, warehouseId: request.warehouseId };
        const existing = changes.row(key);
        if (
          request.expectedVersion !== undefined &&
          (existing?.version ?? 0) !== request.expectedVersion
        ) {
          throw new VersionConflictError(
            `${request.sku}@${request.warehouseId} is not at version ${request.expectedVersion}`,
            {
              retryable: false,
              expectedVersion: request.expectedVersion,
              actualVersion: existing?.version ?? 0,
            },
          );
        }
        if (isDamagedUnitsType(request.type)) checkDamagedUnits(existing, key, request.quantity);
        const { type, transition, availableChange } = movementOf(request.type, request.quantity);
        if (!existing && availableChange < 0) {
          if (request.type === 'DAMAGE')
            throw new NotFoundError('stock', `${request.sku}@${request.warehouseId}`);
          throw new InsufficientStockError([
            {
              sku: request.sku,
              warehouseId: request.warehouseId,
              requested: -availableChange,
              available: 0,
            },
          ]);
        }
        changes.ensureRow(key);
        const movement = changes.apply(key, type, transition, {}, context);
        applied = true;
        // A capacity refusal after the change was applied fails the group: its jobs then run
        // one by one.
        await ensureCapacity(transaction, changes, warehouse, [request.sku]);
        const result: AdjustResult = { stock: changes.row(key)!, movement };
        if (context.idempotencyKey) keyed.push({ job, print, result });
        outcomes.push({ ok: true, value: { result, replayed: false } });
      } catch (error) {
        if (applied || (isStockroomError(error) && error.retryable)) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    for (const { job, print, result } of keyed)
      await storeIdempotency(transaction, job.context, print, result, now);
    return outcomes;
  }

  /**
   * Sets a row's `available` to `quantity` as one ADJUSTMENT movement of the difference
   * (creating the row when the warehouse exists). Setting the same value changes nothing and
   * returns the row with `movement: null`.
   * @throws KIT_NOT_STOCKABLE (the SKU is a kit)
   */
  async setAvailable(
    request: { readonly sku: string; readonly warehouseId: string; readonly quantity: number },
    context: ChangeContext = {},
  ): Promise<{ stock: InventoryStock; movement: Movement | null }> {
    validate()
      .id(request.sku, 'sku')
      .id(request.warehouseId, 'warehouseId')
      .integer(request.quantity, 'quantity', 0, MAX_QUANTITY)
      .done();
    return this.context.keyed.run(context, 'set-available', request, () =>
      runStockChange(
        this.context,
        { skus: [request.sku], keyed: { context, command: 'set-available', request } },
        async (changes, transaction, now) => {
          const warehouse = await this.warehouse(transaction, request.warehouseId);
          await changes.loadForWrite([request.sku]);
          const key = { sku: request.sku, warehouseId: request.warehouseId };
          const existing = changes.row(key);
          if (!existing) await refuseKitRow(transaction, request.sku);
          if (request.quantity === (existing?.available ?? 0)) {
            if (existing) return { stock: existing, movement: null };
            // A missing row set to 0: inserted as it is, without a movement or an event.
            const row = createStock(key, now, this.context.defaultStockSettings);
            if (!(await transaction.stock.insert(row)).applied) {
              throw new VersionConflictError('Row created concurrently', { retryable: true });
            }
            return { stock: row, movement: null };
          }
          const difference = request.quantity - changes.ensureRow(key).available;
          const movement = changes.apply(
            key,
            'ADJUSTMENT',
            (stock, now) => adjustAvailable(stock, difference, now),
            {},
            context,
          );
          await ensureCapacity(transaction, changes, warehouse, [request.sku]);
          return { stock: changes.row(key)!, movement };
        },
      ),
    );
  }

  /**
   * Imports stock levels for many rows: `set` overwrites `available`, `delta` adds to it, each
   * changed row getting one ADJUSTMENT movement (reason `context.reason`, default
   * `bulk update (<mode>)`). Every item is validated first; items fail on their own with a code
   * (see {@link BulkUpdateFailure}) and never make the call throw. With `atomic`, any failure
   * means nothing is applied (`applied: 0`, every failure listed). `items` may be an array or an
   * (async) iterable, read in chunks of `bulkBatchSize` items (1000, or 500 on a single-writer store), so an import of millions
   * of rows runs in bounded memory; each chunk is applied sorted by (sku, warehouseId), with
   * set-based writes on the SQL stores. Non-atomic chunks commit one by one (on a store that
   * takes concurrent writers, such as PostgreSQL, the next chunk is read and written while the
   * one before commits; two chunks in flight never share a SKU); an atomic import runs every
   * chunk in one store transaction.
   *
   * Retrying: with `context.idempotencyKey`, a finished import answers its stored result, and a
   * non-atomic one that stopped part-way (a source that threw, a crash) resumes: each committed
   * chunk is stored under `<key>:batch-<n>` and replays. The import records its chunk size and
   * whether its chunks were kept apart by SKU under `<key>:chunks` before its first chunk is
   * written, and a retry cuts the items that way whatever its own `bulkBatchSize` and
   * `bulkChunksInFlight` are, so every chunk holds the same items again and none applies twice
   * (send the same items in the same order). An import started by a version that recorded
   * nothing resumes at the cut its stored first chunks prove (this process's size, then 2000,
   * then 1000, with or without SKU separation), or is refused with `BulkChunkSizeUnknownError`.
   *
   * @throws VALIDATION_FAILED only when the request itself is malformed (mode, atomic, items);
   *   an item naming a kit fails on its own with KIT_NOT_STOCKABLE
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another command or the other mode;
   *   or (`BulkChunkSizeUnknownError`) when an unfinished import of an earlier version cannot be
   *   resumed at any size tried — nothing is applied; retry with `policies.bulkBatchSize` set to
   *   the size it started with
   * @example
   * ```ts
   * const { applied, failed } = await stockroom.adjustments.bulkUpdate({
   *   mode: 'set',
   *   atomic: true,
   *   items: [{ sku: 'SKU-1', warehouseId: 'paris', quantity: 40 }],
   * });
   * ```
   */
  async bulkUpdate(
    request: BulkUpdateRequest,
    context: ChangeContext = {},
  ): Promise<BulkUpdateResult> {
    const stored = await this.context.keyed.run<BulkUpdateResult | number>(
      context,
      'bulk-update',
      bulkFingerprintRequest(request),
      () =>
        runBulkUpdate(
          this.context,
          request,
          context,
          this.settings.bulkBatchSize,
          this.settings.bulkChunksInFlight ?? 1,
        ),
    );
    return bulkResultOf(stored);
  }

  /**
   * Changes a row's low-stock threshold, reorder point, max stock level or safety stock (creating an empty
   * row when the warehouse exists). Settings are not ledger movements and do not bump `version`.
   * Raises or resolves the row's low-stock alert at once when the new threshold crosses it.
   * @throws VALIDATION_FAILED, NOT_FOUND (warehouse), KIT_NOT_STOCKABLE (the SKU is a kit)
   */
  async updateSettings(
    request: SettingsRequest,
    context: ChangeContext = {},
  ): Promise<InventoryStock> {
    const check = validate().id(request.sku, 'sku').id(request.warehouseId, 'warehouseId');
    if (request.lowStockThreshold !== undefined) {
      check.integer(request.lowStockThreshold, 'lowStockThreshold', 0, MAX_QUANTITY);
    }
    if (request.reorderPoint !== undefined)
      check.integer(request.reorderPoint, 'reorderPoint', 0, MAX_QUANTITY);
    if (request.safetyStock !== undefined)
      check.integer(request.safetyStock, 'safetyStock', 0, MAX_QUANTITY);
    if (request.maxStockLevel !== undefined && request.maxStockLevel !== null) {
      check.integer(request.maxStockLevel, 'maxStockLevel', 0, MAX_QUANTITY);
    }
    check.done();
    const fills = { effects: NO_EFFECTS };
    const updated = await this.context.keyed.run(context, 'settings', request, () =>
      this.updateSettingsOnce(request, context, fills),
    );
    // Safety stock changes what checks and the sold-out guard may answer for the SKU.
    if (request.safetyStock !== undefined || fills.effects !== NO_EFFECTS)
      await this.context.afterCommit(mergeEffects([settingsEffects(updated), fills.effects]));
    return updated;
  }

  private updateSettingsOnce(
    request: SettingsRequest,
    context: ChangeContext,
    fills: { effects: CommitEffects },
  ): Promise<InventoryStock> {
    return this.context.lanes.run([request.sku], async (transaction) => {
      // A retried attempt starts over: what a rolled-back attempt filled never committed.
      fills.effects = NO_EFFECTS;
      const now = this.context.clock.now();
      return runIdempotent(transaction, context, 'settings', request, now, async () => {
        await this.warehouse(transaction, request.warehouseId);
        const key = { sku: request.sku, warehouseId: request.warehouseId };
        let row = await transaction.stock.get(key, { lock: true });
        if (!row) {
          await refuseKitRow(transaction, request.sku);
          const changes = new StockChangeSet(transaction, this.context, now);
          await changes.load([request.sku]);
          row = changes.ensureRow(key);
          const outcome = await transaction.stock.insert(row);
          if (!outcome.applied)
            throw new VersionConflictError('Row created concurrently', { retryable: true });
        }
        const settings: StockSettings = {
          lowStockThreshold: request.lowStockThreshold ?? row.lowStockThreshold,
          reorderPoint: request.reorderPoint ?? row.reorderPoint,
          maxStockLevel:
            request.maxStockLevel === undefined ? row.maxStockLevel : request.maxStockLevel,
          safetyStock: request.safetyStock ?? row.safetyStock,
        };
        await transaction.stock.updateSettings(key, settings, now);
        // A lower safety stock makes units sellable: the backorders waiting on the row take them.
        const filled = await fillBackordersAfterSettings(this.context, transaction, now, {
          ...row,
          ...settings,
          updatedAt: now,
        });
        fills.effects = filled.effects;
        await reconcileRowAlert(transaction, this.context, filled.row, now);
        return filled.row;
      });
    });
  }

  private async warehouse(transaction: StockTransaction, id: string): Promise<Warehouse> {
    const [warehouse] = await transaction.warehouses.get([id]);
    if (!warehouse) throw new NotFoundError('warehouse', id);
    return warehouse;
  }
}
