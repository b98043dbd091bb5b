import {
  type Clock,
  type Logger,
  type Reservation,
  ReservationStatus,
  type StockStore,
  silentLogger,
  systemClock,
} from '@stockroom/core';
import type { StockTransaction, StoreReads } from '@stockroom/core/adapter-kit';
import type { RedisReservationCache } from './redis-reservation-cache.js';

/** How `withReservationCache` is wired. */
export interface ReservationCacheWiring {
  /** The adapter's `reservationCache`. */
  readonly reservationCache: RedisReservationCache;
  /** The stockroom's clock (a cached copy never outlives `expiresAt`). @default systemClock */
  readonly clock?: Clock;
  /** The longest an ACTIVE reservation stays cached. @default the cache's `ttlMs` (60 s) */
  readonly ttlMs?: number;
  /** Where failures are logged. @default silent */
  readonly logger?: Logger;
}

/**
 * Wraps a store so that `reads.reservation(id)` — what `stockroom.reservations.get(id)` calls —
 * is served from Redis for ACTIVE reservations, and the cache follows every committed change
 * whatever path made it (reserve, commit, release, extend, expiry sweep, order saga):
 * reservations inserted or updated in a transaction are written through (still ACTIVE) or
 * evicted (left ACTIVE) right after that transaction commits, before the call returns.
 *
 * Nothing that decides a write reads through this cache: transactions read the store. A Redis
 * failure is logged, counted and read from the store instead.
 *
 * @example
 * ```ts
 * const redis = createRedisAdapter({ client: process.env.REDIS_URL });
 * const stockroom = createStockroom({
 *   store: withReservationCache(store, { reservationCache: redis.reservationCache }),
 *   cache: redis.cache,
 *   soldOutGuard: redis.soldOutGuard,
 * });
 * ```
 */
export function withReservationCache(
  store: StockStore,
  wiring: ReservationCacheWiring,
): StockStore {
  const cache = wiring.reservationCache;
  const clock = wiring.clock ?? systemClock;
  const ttlMs = wiring.ttlMs ?? cache.ttlMs;
  const logger = wiring.logger ?? silentLogger;

  const lifetime = (reservation: Reservation): number =>
    reservation.status === ReservationStatus.ACTIVE
      ? Math.min(ttlMs, reservation.expiresAt.getTime() - clock.now().getTime())
      : 0;

  const failed = (operation: string, error: unknown, id: string) => {
    logger.warn(
      { err: error, operation, reservationId: id },
      'reservation cache failed; reading the store instead',
    );
  };

  // After a commit: write through what is still ACTIVE, evict the rest (versioned both ways).
  const follow = async (changed: Iterable<Reservation>): Promise<void> => {
    await Promise.all(
      [...changed].map(async (reservation) => {
        const ttl = lifetime(reservation);
        try {
          if (ttl > 0) await cache.set(reservation, ttl);
          else await cache.evict(reservation.id, reservation.version, ttlMs);
        } catch (error) {
          failed('write', error, reservation.id);
        }
      }),
    );
  };

  const reservation = async (id: string): Promise<Reservation | null> => {
    try {
      const cached = await cache.get(id);
      if (cached) return cached;
    } catch (error) {
      failed('get', error, id);
    }
    const stored = await store.reads.reservation(id);
    const ttl = stored ? lifetime(stored) : 0;
    if (stored && ttl > 0) {
      try {
        await cache.set(stored, ttl);
      } catch (error) {
        failed('fill', error, id);
      }
    }
    return stored;
  };

  // Every other read goes to the store as is (bound to it: reads may be a class instance).
  const reads = new Proxy<StoreReads>(store.reads, {
    get(target, property) {
      if (property === 'reservation') return reservation;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  return {
    capabilities: store.capabilities,
    reads,
    // Other processes' commits still reach in-process caches through the wrapped store.
    ...(store.changes ? { changes: store.changes } : {}),
    async transaction(work, options) {
      const changed = new Map<string, Reservation>();
      const result = await store.transaction((transaction) => {
        changed.clear();
        return work(tracked(transaction, changed));
      }, options);
      await follow(changed.values());
      return result;
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/** The transaction with its reservation writes recorded (the last write of an id wins). */
function tracked(
  transaction: StockTransaction,
  changed: Map<string, Reservation>,
): StockTransaction {
  const rows = transaction.reservations;
  return {
    stock: transaction.stock,
    ledger: transaction.ledger,
    outbox: transaction.outbox,
    idempotency: transaction.idempotency,
    warehouses: transaction.warehouses,
    transfers: transaction.transfers,
    alerts: transaction.alerts,
    history: transaction.history,
    policies: transaction.policies,
    reservations: {
      get: (ids, options) => rows.get(ids, options),
      insert: async (reservations) => {
        await rows.insert(reservations);
        for (const item of reservations) changed.set(item.id, item);
      },
      update: async (next, expectedVersion) => {
        const outcome = await rows.update(next, expectedVersion);
        if (outcome.applied) changed.set(next.id, next);
        return outcome;
      },
      claimDue: (now, limit) => rows.claimDue(now, limit),
      waitingBackorders: (keys) => rows.waitingBackorders(keys),
      listByOrder: (orderId) => rows.listByOrder(orderId),
    },
  };
}
