import type { AvailabilityCache, CacheLookup, SoldOutGuard } from '../ports/availability-cache.js';
import type { Logger } from '../ports/logger.js';

/** Counts failures of a wrapped cache or guard. */
export interface FailureCounter {
  errors: number;
}

/**
 * The prefix of the tokens failed lookups hand out: `set` with one stores nothing, and each is
 * unique, so two checks that both missed through a failure never share a store read.
 */
const FAILED_LOOKUP = '\u0000failed';

/**
 * Wraps a cache so that its failures never fail a stockroom call: a failed `get` is a miss whose
 * fill is not stored, a failed `set`, `refill`, `delete` or `clear` is logged and counted (a
 * cache must itself replay a failed `refill` or `delete` as an invalidation once it can: the
 * Redis cache does), a failed
 * `directoryStamp` is a stamp that matches nothing (the warehouse list is read again).
 */
export function resilientCache(
  cache: AvailabilityCache,
  logger: Logger,
  counter: FailureCounter,
): AvailabilityCache {
  const failed = (operation: string, error: unknown) => {
    counter.errors += 1;
    logger.warn({ err: error, operation }, 'availability cache failed; continuing without it');
  };
  let failures = 0;
  return {
    scope: cache.scope,
    async get(sku): Promise<CacheLookup> {
      try {
        return await cache.get(sku);
      } catch (error) {
        failed('get', error);
        failures += 1;
        return { hit: false, token: `${FAILED_LOOKUP}${failures}` };
      }
    },
    async set(value, ttlMs, token) {
      if (token.startsWith(FAILED_LOOKUP)) return false;
      try {
        return await cache.set(value, ttlMs, token);
      } catch (error) {
        failed('set', error);
        return false;
      }
    },
    async refill(values, ttlMs, writer) {
      try {
        await cache.refill(values, ttlMs, writer);
      } catch (error) {
        failed('refill', error);
      }
    },
    async delete(skus, writer) {
      try {
        await cache.delete(skus, writer);
      } catch (error) {
        failed('delete', error);
      }
    },
    ...(cache.markPending
      ? {
          async markPending(skus: readonly string[], writer: string, ttlMs: number) {
            try {
              await cache.markPending?.(skus, writer, ttlMs);
            } catch (error) {
              failed('markPending', error);
            }
          },
        }
      : {}),
    async clear() {
      try {
        await cache.clear();
      } catch (error) {
        failed('clear', error);
      }
    },
    async directoryStamp() {
      try {
        return await cache.directoryStamp();
      } catch (error) {
        failed('directoryStamp', error);
        failures += 1;
        return `${FAILED_LOOKUP}${failures}`;
      }
    },
    async touchDirectory() {
      try {
        await cache.touchDirectory();
      } catch (error) {
        failed('touchDirectory', error);
      }
    },
    async close() {
      await cache.close?.();
    },
  };
}

/** Wraps a sold-out guard so that its failures read as "not sold out" and never fail a call. */
export function resilientGuard(
  guard: SoldOutGuard,
  logger: Logger,
  counter: FailureCounter,
): SoldOutGuard {
  const failed = (operation: string, error: unknown) => {
    counter.errors += 1;
    logger.warn({ err: error, operation }, 'sold-out guard failed; continuing without it');
  };
  return {
    ...(guard.scope === undefined ? {} : { scope: guard.scope }),
    async isSoldOut(sku) {
      try {
        return await guard.isSoldOut(sku);
      } catch (error) {
        failed('isSoldOut', error);
        return false;
      }
    },
    async markSoldOut(sku, ttlMs, version) {
      try {
        await guard.markSoldOut(sku, ttlMs, version);
      } catch (error) {
        failed('markSoldOut', error);
      }
    },
    async clear(skus, versions) {
      try {
        await guard.clear(skus, versions);
      } catch (error) {
        failed('clear', error);
      }
    },
    async clearAll() {
      try {
        await guard.clearAll?.();
      } catch (error) {
        failed('clearAll', error);
      }
    },
  };
}
