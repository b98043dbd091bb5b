import { type Reservation, ReservationStatus } from '@stockroom/core';
import type { RedisKeys } from './keys.js';
import type { RedisAdapterStats } from './redis-adapter-stats.js';
import type { RedisGateway } from './redis-gateway.js';
import { putReservation } from './scripts/put-reservation.js';

/** What a `RedisReservationCache` needs (built by `createRedisAdapter`). */
export interface RedisReservationCacheOptions {
  readonly gateway: RedisGateway;
  readonly keys: RedisKeys;
  readonly stats: RedisAdapterStats;
  /** The longest a copy stays cached, and how long an eviction marker stays. */
  readonly ttlMs: number;
}

const MAX_PENDING = 100_000;

type StoredReservation = Omit<
  Reservation,
  'createdAt' | 'expiresAt' | 'committedAt' | 'releasedAt'
> & {
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly committedAt: string | null;
  readonly releasedAt: string | null;
};

function encode(reservation: Reservation): string {
  return JSON.stringify(reservation);
}

function decode(text: string): Reservation {
  const stored = JSON.parse(text) as StoredReservation;
  return {
    ...stored,
    createdAt: new Date(stored.createdAt),
    expiresAt: new Date(stored.expiresAt),
    committedAt: stored.committedAt === null ? null : new Date(stored.committedAt),
    releasedAt: stored.releasedAt === null ? null : new Date(stored.releasedAt),
  };
}

/**
 * ACTIVE reservations by id ("active reservations, real time"), for fast reads. Only ACTIVE
 * reservations are kept; every write is versioned, so a slow write never replaces a newer one
 * and an eviction is not undone by a fill that read the store before it. Every call may throw
 * `STORE_UNAVAILABLE`; `withReservationCache` treats failures as misses.
 */
export class RedisReservationCache {
  // Writes that failed while Redis was unreachable: id → the version the cached copy must not
  // be older than. Until replayed, this process reads those ids from the store.
  private readonly pending = new Map<string, number>();

  /** The longest a copy stays cached, and how long an eviction marker stays. */
  readonly ttlMs: number;

  constructor(private readonly options: RedisReservationCacheOptions) {
    this.ttlMs = options.ttlMs;
    options.gateway.onRecovered(() => {
      void this.replay();
    });
  }

  /** The cached ACTIVE reservation, or undefined. @throws STORE_UNAVAILABLE */
  async get(id: string): Promise<Reservation | undefined> {
    const { gateway, keys, stats } = this.options;
    if (this.pending.has(id)) {
      stats.reservations.misses += 1;
      return undefined;
    }
    const text = await gateway.call('get reservation', (client) =>
      client.hget(keys.reservation(id), 'd'),
    );
    if (text === null) {
      stats.reservations.misses += 1;
      return undefined;
    }
    stats.reservations.hits += 1;
    return decode(text);
  }

  /**
   * Caches an ACTIVE reservation for `ttlMs`, or evicts one that left ACTIVE; skipped when the
   * cache already holds that version or a newer one. @throws STORE_UNAVAILABLE
   */
  async set(reservation: Reservation, ttlMs: number): Promise<void> {
    const active = reservation.status === ReservationStatus.ACTIVE;
    await this.put(
      reservation.id,
      reservation.version,
      active ? encode(reservation) : '',
      Math.max(1, Math.round(ttlMs)),
    );
  }

  /**
   * Evicts a reservation. With the version it left ACTIVE at, a marker stays for `ttlMs` so
   * that an older copy cannot be cached again meanwhile. @throws STORE_UNAVAILABLE
   */
  async evict(id: string, version?: number, ttlMs = this.ttlMs): Promise<void> {
    const { gateway, keys, stats } = this.options;
    if (version === undefined) {
      await gateway.call('evict reservation', (client) => client.del(keys.reservation(id)));
      stats.reservations.evictions += 1;
      return;
    }
    await this.put(id, version, '', Math.max(1, Math.round(ttlMs)));
  }

  private async put(id: string, version: number, payload: string, ttlMs: number): Promise<void> {
    const { gateway, keys, stats } = this.options;
    let written: unknown;
    try {
      written = await gateway.script(
        putReservation,
        [keys.reservation(id)],
        [version, payload, ttlMs],
      );
    } catch (error) {
      // An older copy may still sit in Redis (a partition, not a restart): evict it on return.
      if (this.pending.size < MAX_PENDING) {
        this.pending.set(id, Math.max(version, this.pending.get(id) ?? 0));
        stats.repairs.queued += 1;
      } else {
        stats.repairs.dropped += 1;
      }
      throw error;
    }
    if (written !== 1) stats.reservations.staleWrites += 1;
    else if (payload === '') stats.reservations.evictions += 1;
    else stats.reservations.writes += 1;
  }

  private async replay(): Promise<void> {
    for (const [id, version] of [...this.pending]) {
      try {
        await this.put(id, version, '', this.ttlMs);
      } catch {
        return; // Redis went away again; the rest waits for the next recovery.
      }
      if (this.pending.get(id) === version) this.pending.delete(id);
      this.options.stats.repairs.replayed += 1;
    }
  }
}
