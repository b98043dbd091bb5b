import type {
  AvailabilityCache,
  CachedAvailability,
  SoldOutGuard,
} from '../ports/availability-cache.js';
import type { Logger } from '../ports/logger.js';

/** Counts failures of a wrapped cache or guard. */
export interface FailureCounter {
  errors: number;
}

/**
 * Wraps a cache so that its failures never fail a stockroom call: a failed `get` is a miss, a
 * failed `set` or `delete` is logged and counted (the TTL bounds any staleness it leaves).
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
  return {
    async get(sku): Promise<CachedAvailability | undefined> {
      try {
        return await cache.get(sku);
      } catch (error) {
        failed('get', error);
        return undefined;
      }
    },
    async set(value, ttlMs) {
      try {
        await cache.set(value, ttlMs);
      } catch (error) {
        failed('set', error);
      }
    },
    async delete(skus) {
      try {
        await cache.delete(skus);
      } catch (error) {
        failed('delete', error);
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
    async isSoldOut(sku) {
      try {
        return await guard.isSoldOut(sku);
      } catch (error) {
        failed('isSoldOut', error);
        return false;
      }
    },
    async markSoldOut(sku, ttlMs) {
      try {
        await guard.markSoldOut(sku, ttlMs);
      } catch (error) {
        failed('markSoldOut', error);
      }
    },
    async clear(skus) {
      try {
        await guard.clear(skus);
      } catch (error) {
        failed('clear', error);
      }
    },
  };
}
