import { allocate } from '../allocation/allocate.js';
import {
  ALLOCATION_STRATEGIES,
  type AllocationStrategy,
  type GeoPoint,
} from '../allocation/allocation-plan.js';
import type { GroupOutcome, JobGroup } from '../concurrency/write-lanes.js';
import { EventType, type JsonValue } from '../domain/events.js';
import { deltas, type StockKey } from '../domain/inventory-stock.js';
import type { ChangeContext, MovementType } from '../domain/movement.js';
import {
  commitReservation,
  extendReservation,
  type Reservation,
  type ReservationLine,
  ReservationStatus,
  releaseReservation,
} from '../domain/reservation.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { isStockroomError, type StockroomError } from '../errors/stockroom-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { fingerprint, lookupIdempotency, runIdempotent, storeIdempotency } from './idempotency.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

/** One requested item of a reservation. */
export interface ReserveItem {
  readonly sku: string;
  readonly quantity: number;
  /** Pins the item to one warehouse. */
  readonly warehouseId?: string;
}

/** A request to hold stock for one checkout. */
export interface ReserveRequest {
  readonly items: readonly ReserveItem[];
  readonly orderId?: string;
  readonly userId?: string;
  /** 1 … the maximum lifetime. @default the service's default TTL (600 s) */
  readonly ttlSeconds?: number;
  /** @default 'nearest' with a location, else 'priority' */
  readonly strategy?: AllocationStrategy;
  /** The customer's location, for `nearest`. */
  readonly location?: GeoPoint;
  /** Regional fulfilment: try warehouses in this country first. */
  readonly preferCountry?: string;
  /** Regional fulfilment: then warehouses in this region. */
  readonly preferRegion?: string;
}

/** Reservation tuning. */
export interface ReservationSettings {
  /** @default 600 */
  readonly defaultTtlSeconds: number;
  /** The longest a reservation may live, from creation, extensions included. @default 3600 */
  readonly maxLifetimeSeconds: number;
  /** The most reservation requests applied in one store transaction. @default 256 */
  readonly maxBatchSize: number;
  /**
   * Independent batch queues; requests for one SKU always share a queue. A batch locks the
   * rows of every SKU it touches, so lanes whose batches meet on a SKU (a multi-line order, a
   * hot SKU) wait for each other's locks: more than one lane pays only where SKUs rarely meet.
   * @default 1
   */
  readonly lanes: number;
  /** The most items one reservation may carry. @default 100 */
  readonly maxItems: number;
}

/** The default reservation settings. */
export const DEFAULT_RESERVATION_SETTINGS: ReservationSettings = Object.freeze({
  defaultTtlSeconds: 600,
  maxLifetimeSeconds: 3600,
  maxBatchSize: 256,
  lanes: 1,
  maxItems: 100,
});

type Outcome =
  | { readonly kind: 'admitted'; readonly reservation: Reservation }
  | { readonly kind: 'replay'; readonly reservation: Reservation }
  | { readonly kind: 'refused'; readonly error: StockroomError };

interface Pending {
  readonly request: ReserveRequest;
  readonly context: ChangeContext;
}

/** What a reserve job of a lane batch came to. */
interface ReserveOutcome {
  readonly reservation: Reservation;
  readonly replayed: boolean;
  /** The batch's cache effects, carried by one job of the batch. */
  readonly effects?: CommitEffects;
}

interface TransitionJob {
  readonly id: string;
  readonly context: ChangeContext;
  readonly command: 'commit' | 'release';
  readonly decide: (reservation: Reservation, now: Date) => Reservation | null;
}

interface TransitionOutcome {
  readonly reservation: Reservation;
  readonly replayed: boolean;
  /** This call made the transition (false for a replay or a reservation already there). */
  readonly changed: boolean;
  readonly effects?: CommitEffects;
}

const EFFECTS = Symbol('stockroom.effects');

/** Attaches a batch's cache effects to a refusal (when no admitted job can carry them). */
function withEffects(error: StockroomError, effects: CommitEffects): StockroomError {
  Object.defineProperty(error, EFFECTS, { value: effects, enumerable: false });
  return error;
}

const NO_EFFECTS: CommitEffects = { touched: [], replenished: [], soldOut: [] };

function reservationData(reservation: Reservation): { [key: string]: JsonValue } {
  return {
    reservationId: reservation.id,
    status: reservation.status,
    orderId: reservation.orderId,
    userId: reservation.userId,
    expiresAt: reservation.expiresAt.toISOString(),
    lines: reservation.lines.map((line) => ({
      sku: line.sku,
      warehouseId: line.warehouseId,
      quantity: line.quantity,
    })),
  };
}

/**
 * Reserve, commit, release, extend and expire. Concurrent `reserve` calls are grouped into one
 * store transaction per lane (flash-sale batching): rows are read once, requests are admitted in
 * arrival order while stock lasts — each all-or-nothing on its own — and each row is written once.
 */
export class ReservationService {
  constructor(
    private readonly context: ServiceContext,
    readonly settings: ReservationSettings = DEFAULT_RESERVATION_SETTINGS,
  ) {}

  /**
   * Holds stock for every item, or for none.
   * @throws VALIDATION_FAILED for malformed input
   * @throws INSUFFICIENT_STOCK with a shortfall per short SKU; nothing is held
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   * @throws STORE_UNAVAILABLE (retryable) when the store made no progress within the retry deadline
   */
  async reserve(request: ReserveRequest, context: ChangeContext = {}): Promise<Reservation> {
    this.validateReserve(request);
    const guard = this.context.soldOutGuard;
    if (guard && !context.idempotencyKey) {
      const skus = [...new Set(request.items.map((item) => item.sku))];
      const marks = await Promise.all(skus.map((sku) => guard.isSoldOut(sku)));
      if (marks.some(Boolean)) {
        this.context.stats.soldOutRefusals += 1;
        this.context.stats.reservations.refused += 1;
        throw new InsufficientStockError(
          skus
            .filter((_sku, index) => marks[index])
            .map((sku) => ({
              sku,
              requested: request.items
                .filter((item) => item.sku === sku)
                .reduce((sum, item) => sum + item.quantity, 0),
              available: 0,
            })),
        );
      }
    }
    return this.context.keyed.run(context, 'reserve', request, () =>
      this.reserveInLane(request, context),
    );
  }

  private async reserveInLane(
    request: ReserveRequest,
    context: ChangeContext,
  ): Promise<Reservation> {
    const stats = this.context.stats.reservations;
    const skus = [...new Set(request.items.map((item) => item.sku))];
    let outcome: ReserveOutcome;
    try {
      outcome = await this.context.lanes.runGrouped<Pending, ReserveOutcome>(
        this.reserveGroup,
        skus,
        { request, context },
      );
    } catch (error) {
      const carried = (error as { [EFFECTS]?: CommitEffects } | null)?.[EFFECTS];
      if (carried) await this.context.afterCommit(carried);
      if (isInsufficientStock(error)) stats.refused += 1;
      else stats.failed += 1;
      throw error;
    }
    if (outcome.effects) await this.context.afterCommit(outcome.effects);
    if (outcome.replayed) context.onReplay?.();
    else stats.admitted += 1;
    this.remember(outcome.reservation);
    return outcome.reservation;
  }

  /** Reserve requests meeting in a lane's batch: one read of the rows, one write per row. */
  private readonly reserveGroup: JobGroup<Pending> = {
    always: true,
    runMany: async (transaction, batch) => {
      const { outcomes, effects } = await this.applyBatch(transaction, batch);
      let effectsGiven = false;
      return outcomes.map((outcome): GroupOutcome => {
        if (outcome.kind === 'refused') {
          if (!effectsGiven && effects.soldOut.length > 0) {
            // The sold-out marks still have to be set: carry them on the refusal.
            effectsGiven = true;
            return { ok: false, error: withEffects(outcome.error, effects) };
          }
          return { ok: false, error: outcome.error };
        }
        const value: ReserveOutcome = {
          reservation: outcome.reservation,
          replayed: outcome.kind === 'replay',
          ...(effectsGiven ? {} : { effects }),
        };
        effectsGiven = true;
        return { ok: true, value };
      });
    },
  };

  /** Reservation id → its SKUs, for routing commit/release/extend to the right lane. */
  private readonly recent = new Map<string, readonly string[]>();

  private remember(reservation: Reservation): void {
    if (this.recent.size >= 100_000) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(reservation.id, [...new Set(reservation.lines.map((line) => line.sku))]);
  }

  /** The SKUs of a reservation (lines never change), for lane routing; [] when unknown. */
  async skusOf(id: string): Promise<readonly string[]> {
    const known = this.recent.get(id);
    if (known) return known;
    const reservation = await this.context.store.reads.reservation(id);
    if (!reservation) return [];
    this.remember(reservation);
    return this.recent.get(id)!;
  }

  /** The reservation, or null. */
  async get(id: string): Promise<Reservation | null> {
    return this.context.store.reads.reservation(id);
  }

  /**
   * ACTIVE → COMMITTED: the held units are sold (a SALE movement per line). Committing a
   * COMMITTED reservation returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (RELEASED, EXPIRED, or past `expiresAt`)
   */
  async commit(id: string, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').done();
    return this.transition(id, context, 'commit', (reservation, now) =>
      reservation.status === ReservationStatus.COMMITTED
        ? null
        : commitReservation(reservation, now),
    );
  }

  /**
   * ACTIVE → RELEASED: the held units are available again. Releasing a RELEASED or EXPIRED
   * reservation returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (COMMITTED)
   */
  async release(id: string, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').done();
    return this.transition(id, context, 'release', (reservation, now) =>
      reservation.status === ReservationStatus.RELEASED ||
      reservation.status === ReservationStatus.EXPIRED
        ? null
        : releaseReservation(reservation, now),
    );
  }

  /**
   * Moves `expiresAt` later by `seconds` (1–3600).
   * @throws NOT_FOUND, INVALID_STATE (not ACTIVE, expired, or past the maximum lifetime)
   */
  async extend(id: string, seconds: number, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').integer(seconds, 'seconds', 1, 3600).done();
    return this.context.keyed.run(context, 'extend', { id, seconds }, () =>
      this.extendOnce(id, seconds, context),
    );
  }

  private async extendOnce(
    id: string,
    seconds: number,
    context: ChangeContext,
  ): Promise<Reservation> {
    return this.context.lanes.run(await this.skusOf(id), async (transaction) =>
      runIdempotent(
        transaction,
        context,
        'extend',
        { id, seconds },
        this.context.clock.now(),
        async () => {
          const reservation = await this.load(transaction, id);
          const extended = extendReservation(
            reservation,
            seconds,
            this.context.clock.now(),
            this.settings.maxLifetimeSeconds,
          );
          await this.save(transaction, extended, reservation.version);
          return extended;
        },
      ),
    );
  }

  /**
   * Expires up to `limit` (≤ 1000) ACTIVE reservations past `expiresAt`, oldest first, in one
   * transaction; their units become available again (EXPIRATION movements).
   * @returns how many expired
   */
  async expireDue(options: { readonly limit?: number } = {}): Promise<number> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 1000);
    let effects = NO_EFFECTS;
    const count = await this.context.transact(async (transaction) => {
      const now = this.context.clock.now();
      const due = await transaction.reservations.claimDue(now, limit);
      if (due.length === 0) return 0;
      const changes = new StockChangeSet(transaction, this.context, now);
      await changes.loadForWrite(
        due.flatMap((reservation) => reservation.lines.map((line) => line.sku)),
      );
      for (const reservation of due) {
        const expired = releaseReservation(reservation, now, true);
        this.applyLines(changes, expired, 'EXPIRATION', { system: 'expiry' });
        await this.save(transaction, expired, reservation.version);
        changes.emit(
          EventType.RESERVATION_EXPIRED,
          expired.lines[0]!.sku,
          reservationData(expired),
        );
      }
      effects = await changes.flush();
      return due.length;
    });
    await this.context.afterCommit(effects);
    return count;
  }

  /** Every reservation of an order, oldest first (read in the primary, through a transaction). */
  async listByOrder(orderId: string): Promise<Reservation[]> {
    return this.context.store.transaction((transaction) =>
      transaction.reservations.listByOrder(orderId),
    );
  }

  /** Applies one movement per line: the stock side of commit, release and expiry. */
  applyLines(
    changes: StockChangeSet,
    reservation: Reservation,
    type: MovementType,
    context: ChangeContext | { system: string },
  ): void {
    const change =
      type === 'SALE'
        ? (line: ReservationLine) => deltas({ reserved: -line.quantity })
        : (line: ReservationLine) => deltas({ available: line.quantity, reserved: -line.quantity });
    const changeContext: ChangeContext =
      'system' in context ? { actor: `system:${context.system}` } : context;
    for (const line of reservation.lines) {
      changes.apply(
        line,
        type,
        change(line),
        { reservationId: reservation.id, orderId: reservation.orderId },
        changeContext,
      );
    }
  }

  /** Loads a reservation (locked) or throws NOT_FOUND. */
  async load(transaction: StockTransaction, id: string): Promise<Reservation> {
    const [reservation] = await transaction.reservations.get([id], { lock: true });
    if (!reservation) throw new NotFoundError('reservation', id);
    return reservation;
  }

  /** Stores a changed reservation by compare-and-set. @throws VERSION_CONFLICT (retryable) */
  async save(
    transaction: StockTransaction,
    next: Reservation,
    expectedVersion: number,
  ): Promise<void> {
    const outcome = await transaction.reservations.update(next, expectedVersion);
    if (!outcome.applied) {
      throw new VersionConflictError(`Reservation ${next.id} changed concurrently`, {
        retryable: true,
      });
    }
  }

  /** `save` for several reservations (one statement where the store has `updateMany`). */
  private async saveAll(
    transaction: StockTransaction,
    items: readonly { readonly next: Reservation; readonly expectedVersion: number }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const rows = transaction.reservations;
    if (!rows.updateMany || items.length === 1) {
      for (const { next, expectedVersion } of items)
        await this.save(transaction, next, expectedVersion);
      return;
    }
    if (!(await rows.updateMany(items)).applied) {
      throw new VersionConflictError('A reservation of the batch changed concurrently', {
        retryable: true,
      });
    }
  }

  private async transition(
    id: string,
    context: ChangeContext,
    command: 'commit' | 'release',
    decide: (reservation: Reservation, now: Date) => Reservation | null,
  ): Promise<Reservation> {
    return this.context.keyed.run(context, command, { id }, () =>
      this.transitionOnce(id, context, command, decide),
    );
  }

  private async transitionOnce(
    id: string,
    context: ChangeContext,
    command: 'commit' | 'release',
    decide: (reservation: Reservation, now: Date) => Reservation | null,
  ): Promise<Reservation> {
    const outcome = await this.context.lanes.runGrouped<TransitionJob, TransitionOutcome>(
      this.transitionGroup,
      await this.skusOf(id),
      { id, context, command, decide },
    );
    if (outcome.effects) await this.context.afterCommit(outcome.effects);
    if (outcome.replayed) context.onReplay?.();
    if (outcome.changed) context.onChanged?.();
    return outcome.reservation;
  }

  /**
   * Commits and releases meeting in a lane's batch: their reservations are read (locked) in one
   * statement and their stock rows written once through one change set.
   */
  private readonly transitionGroup: JobGroup<TransitionJob> = {
    runMany: async (transaction, jobs) => {
      const now = this.context.clock.now();
      const ids = [...new Set(jobs.map((job) => job.id))].sort();
      const current = new Map(
        (await transaction.reservations.get(ids, { lock: true })).map((reservation) => [
          reservation.id,
          reservation,
        ]),
      );
      const changes = new StockChangeSet(transaction, this.context, now);
      await changes.loadForWrite(
        [...current.values()].flatMap((reservation) => reservation.lines.map((line) => line.sku)),
      );
      const outcomes: GroupOutcome[] = [];
      const keyed: Array<{ job: TransitionJob; print: string; result: Reservation }> = [];
      // The reservations are locked above: their new versions are stored together at the end.
      const saves = new Map<string, { next: Reservation; expectedVersion: number }>();
      for (const job of jobs) {
        const print = job.context.idempotencyKey ? fingerprint(job.command, { id: job.id }) : '';
        let writing = false;
        try {
          if (job.context.idempotencyKey) {
            const found = await lookupIdempotency<Reservation>(transaction, job.context, print);
            if (found.kind === 'conflict') throw found.error;
            if (found.kind === 'replay') {
              outcomes.push({
                ok: true,
                value: { reservation: found.result, replayed: true, changed: false },
              });
              continue;
            }
          }
          const reservation = current.get(job.id);
          if (!reservation) throw new NotFoundError('reservation', job.id);
          const next = job.decide(reservation, now);
          let result = reservation;
          if (next !== null) {
            const type = job.command === 'commit' ? 'SALE' : 'RELEASE';
            writing = true;
            this.applyLines(changes, next, type, job.context);
            const saved = saves.get(next.id);
            saves.set(next.id, {
              next,
              expectedVersion: saved?.expectedVersion ?? reservation.version,
            });
            changes.emit(
              job.command === 'commit' ? EventType.COMMITTED : EventType.RELEASED,
              next.lines[0]!.sku,
              reservationData(next),
            );
            current.set(next.id, next);
            result = next;
          }
          if (job.context.idempotencyKey) keyed.push({ job, print, result });
          outcomes.push({
            ok: true,
            value: { reservation: result, replayed: false, changed: next !== null },
          });
        } catch (error) {
          // A failure once the job began writing fails the group (its jobs then run alone).
          if (writing || (isStockroomError(error) && error.retryable)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      await this.saveAll(transaction, [...saves.values()]);
      for (const { job, print, result } of keyed)
        await storeIdempotency(transaction, job.context, print, result, now);
      const effects = changes.isEmpty ? NO_EFFECTS : await changes.flush();
      const first = outcomes.findIndex((outcome) => outcome.ok);
      if (first >= 0) {
        const outcome = outcomes[first] as { ok: true; value: TransitionOutcome };
        outcomes[first] = { ok: true, value: { ...outcome.value, effects } };
      }
      return outcomes;
    },
  };

  private validateReserve(request: ReserveRequest): void {
    const check = validate();
    const items = (request as { items?: unknown }).items;
    check.check(Array.isArray(items) && items.length > 0, 'items', 'must hold at least one item');
    if (Array.isArray(items)) {
      check.check(
        items.length <= this.settings.maxItems,
        'items',
        `must hold at most ${this.settings.maxItems} items`,
      );
      items.forEach((item: ReserveItem, index) => {
        check
          .id(item?.sku, `items.${index}.sku`)
          .quantity(item?.quantity, `items.${index}.quantity`)
          .optionalId(item?.warehouseId, `items.${index}.warehouseId`);
      });
    }
    check.optionalId(request.orderId, 'orderId').optionalId(request.userId, 'userId');
    if (request.ttlSeconds !== undefined) {
      check.integer(request.ttlSeconds, 'ttlSeconds', 1, this.settings.maxLifetimeSeconds);
    }
    if (request.strategy !== undefined)
      check.oneOf(request.strategy, 'strategy', ALLOCATION_STRATEGIES);
    if (request.location !== undefined) {
      check
        .number(request.location?.latitude, 'location.latitude', -90, 90)
        .number(request.location?.longitude, 'location.longitude', -180, 180);
    }
    check.done();
  }

  private async applyBatch(
    transaction: StockTransaction,
    batch: readonly Pending[],
  ): Promise<{ outcomes: Outcome[]; effects: CommitEffects }> {
    const now = this.context.clock.now();
    const changes = new StockChangeSet(transaction, this.context, now);
    await changes.loadForWrite(
      batch.flatMap((pending) => pending.request.items.map((item) => item.sku)),
    );
    const warehouses = await transaction.warehouses.list();
    const outcomes: Outcome[] = [];
    const created: Reservation[] = [];
    for (const { request, context } of batch) {
      const print = context.idempotencyKey ? fingerprint('reserve', request) : '';
      if (context.idempotencyKey) {
        const found = await lookupIdempotency<Reservation>(transaction, context, print);
        if (found.kind === 'conflict') {
          outcomes.push({ kind: 'refused', error: found.error });
          continue;
        }
        if (found.kind === 'replay') {
          outcomes.push({ kind: 'replay', reservation: found.result });
          continue;
        }
      }
      const skus = [...new Set(request.items.map((item) => item.sku))];
      const plan = allocate(
        request.items,
        skus.flatMap((sku) => changes.rowsOf(sku)),
        warehouses,
        {
          ...(request.strategy ? { strategy: request.strategy } : {}),
          ...(request.location ? { location: request.location } : {}),
          ...(request.preferCountry ? { preferCountry: request.preferCountry } : {}),
          ...(request.preferRegion ? { preferRegion: request.preferRegion } : {}),
        },
      );
      if (plan.kind === 'shortfall') {
        outcomes.push({ kind: 'refused', error: new InsufficientStockError(plan.shortfalls) });
        continue;
      }
      const reservation: Reservation = {
        id: this.context.ids.next('reservation'),
        status: ReservationStatus.ACTIVE,
        orderId: request.orderId ?? null,
        userId: request.userId ?? null,
        lines: plan.allocations.map((allocation) => ({ ...allocation, refunded: 0 })),
        createdAt: now,
        expiresAt: new Date(
          now.getTime() + (request.ttlSeconds ?? this.settings.defaultTtlSeconds) * 1000,
        ),
        committedAt: null,
        releasedAt: null,
        version: 1,
      };
      for (const line of reservation.lines) {
        changes.apply(
          line satisfies StockKey,
          'RESERVATION',
          deltas({ available: -line.quantity, reserved: line.quantity }),
          { reservationId: reservation.id, orderId: reservation.orderId },
          context,
        );
      }
      changes.emit(EventType.RESERVED, reservation.lines[0]!.sku, reservationData(reservation));
      if (context.idempotencyKey)
        await storeIdempotency(transaction, context, print, reservation, now);
      created.push(reservation);
      outcomes.push({ kind: 'admitted', reservation });
    }
    if (created.length > 0) await transaction.reservations.insert(created);
    const effects = await changes.flush();
    // A refused crowd for a SKU with nothing left marks it sold out even when nothing changed.
    const exhausted = new Set(effects.soldOut);
    for (const outcome of outcomes) {
      if (outcome.kind !== 'refused' || !(outcome.error instanceof InsufficientStockError))
        continue;
      for (const shortfall of outcome.error.shortfalls) {
        if (changes.rowsOf(shortfall.sku).every((row) => row.available === 0))
          exhausted.add(shortfall.sku);
      }
    }
    return { outcomes, effects: { ...effects, soldOut: [...exhausted] } };
  }
}

/** True when an error from `reserve` means "not enough stock". */
export function isInsufficientStock(error: unknown): error is InsufficientStockError {
  return isStockroomError(error) && error.code === 'INSUFFICIENT_STOCK';
}
