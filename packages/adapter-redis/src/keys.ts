import { ValidationError } from '@stockroom/core';

/**
 * Every Redis key the adapter touches, built in this file only.
 *
 * Each key ends in a hash tag (`{…}`) holding the SKU, reservation id or job name, so all the
 * keys of one SKU hash to the same Redis Cluster slot and a script may touch several of them.
 * Braces and `%` inside the value are percent-escaped: Redis hashes the text between the first
 * `{` and the next `}`, and an unescaped `}` in a SKU would split its keys across slots.
 */
export interface RedisKeys {
  /** The prefix every key starts with. */
  readonly prefix: string;
  /** A SKU's cached availability (a JSON string with a TTL). */
  availability(sku: string): string;
  /**
   * A SKU's invalidation stamp: replaced by a new unique value on every invalidation; a fill is
   * stored only if the stamp is still the one its miss saw.
   */
  availabilityStamp(sku: string): string;
  /**
   * The highest value version (sum of row versions) stored or written through for a SKU since its
   * last blind invalidation; absent when unknown. Older fills and refills are refused.
   */
  availabilityKnown(sku: string): string;
  /**
   * A SKU's pending writes: a sorted set of writers that marked the SKU just before their COMMIT
   * and have not written their value through yet, scored by when their mark expires.
   */
  availabilityPending(sku: string): string;
  /** The warehouse directory's stamp: replaced on every warehouse change. */
  directoryStamp(): string;
  /** A SKU's sold-out mark (with a TTL). */
  soldOut(sku: string): string;
  /**
   * The highest version a SKU was replenished at (a clear's version): a sold-out mark decided at
   * that version or an older one is refused.
   */
  soldOutFence(sku: string): string;
  /** An ACTIVE reservation cached by id (a hash: `v` version, `d` JSON; no `d` = evicted). */
  reservation(id: string): string;
  /** A job lease (its value is the holder's token). */
  lease(name: string): string;
}

/** The default key prefix. */
export const DEFAULT_KEY_PREFIX = 'stockroom:';

/** The hash tag of a value: `{value}` with `%`, `{` and `}` escaped (an injective mapping). */
export function hashTag(value: string): string {
  return `{${value.replace(/[%{}]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)}}`;
}

/**
 * The key builder for one prefix.
 * @throws VALIDATION_FAILED when the prefix holds `{` or `}` (a brace there would become every
 * key's hash tag and put the whole data set in one cluster slot)
 */
export function createKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  if (/[{}]/.test(prefix)) {
    throw new ValidationError([{ path: 'prefix', message: 'must not contain { or }' }]);
  }
  return {
    prefix,
    availability: (sku) => `${prefix}avail:${hashTag(sku)}`,
    availabilityStamp: (sku) => `${prefix}avail-stamp:${hashTag(sku)}`,
    availabilityKnown: (sku) => `${prefix}avail-known:${hashTag(sku)}`,
    availabilityPending: (sku) => `${prefix}avail-pending:${hashTag(sku)}`,
    directoryStamp: () => `${prefix}warehouses-stamp:{warehouses}`,
    soldOut: (sku) => `${prefix}soldout:${hashTag(sku)}`,
    soldOutFence: (sku) => `${prefix}soldout-fence:${hashTag(sku)}`,
    reservation: (id) => `${prefix}reservation:${hashTag(id)}`,
    lease: (name) => `${prefix}lease:${hashTag(name)}`,
  };
}
