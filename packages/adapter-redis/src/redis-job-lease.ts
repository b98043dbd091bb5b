import { randomUUID } from 'node:crypto';
import type { JobLease, Lease, Logger } from '@stockroom/core';
import type { RedisKeys } from './keys.js';
import type { RedisAdapterStats } from './redis-adapter-stats.js';
import type { RedisGateway } from './redis-gateway.js';
import { releaseLease } from './scripts/release-lease.js';
import { renewLease } from './scripts/renew-lease.js';

/** What a `RedisJobLease` needs (built by `createRedisAdapter`). */
export interface RedisJobLeaseOptions {
  readonly gateway: RedisGateway;
  readonly keys: RedisKeys;
  readonly stats: RedisAdapterStats;
  readonly logger: Logger;
}

/**
 * "Only one instance runs this job now", across every instance sharing the Redis: a lease is a
 * key holding a random token, taken with `SET NX PX`, renewed and released by Lua scripts that
 * act only while the token still matches (so a holder that lost its lease can never extend or
 * delete the next holder's).
 *
 * A holder that crashes keeps the lease until its TTL ends; then another instance may take it.
 * A holder must renew before the TTL ends and stop working when `renew` returns false.
 *
 * When Redis is unreachable nothing throws: `acquire` returns null (nobody runs the job, which
 * is never two running it), `renew` returns false (the holder stops), and `release` leaves the
 * key to expire. Failures are logged and counted.
 */
export class RedisJobLease implements JobLease {
  constructor(private readonly options: RedisJobLeaseOptions) {}

  /** The lease, or null when another holder has it (or Redis is unreachable). */
  async acquire(name: string, ttlMs: number): Promise<Lease | null> {
    const { gateway, keys, stats, logger } = this.options;
    const key = keys.lease(name);
    const token = randomUUID();
    let reply: string | null;
    try {
      reply = await gateway.call('acquire lease', (client) =>
        client.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX'),
      );
    } catch (error) {
      logger.warn({ err: error, lease: name }, 'could not acquire a job lease; skipping the job');
      return null;
    }
    if (reply !== 'OK') {
      stats.leases.contended += 1;
      return null;
    }
    stats.leases.acquired += 1;
    return {
      name,
      token,
      renew: async (renewMs) => {
        try {
          const renewed = await gateway.script(
            renewLease,
            [key],
            [token, Math.max(1, Math.round(renewMs))],
          );
          if (renewed === 1) {
            stats.leases.renewed += 1;
            return true;
          }
        } catch (error) {
          logger.warn({ err: error, lease: name }, 'could not renew a job lease; giving it up');
        }
        stats.leases.lost += 1;
        return false;
      },
      release: async () => {
        try {
          const released = await gateway.script(releaseLease, [key], [token]);
          if (released === 1) stats.leases.released += 1;
        } catch (error) {
          logger.warn({ err: error, lease: name }, 'could not release a job lease; it will expire');
        }
      },
    };
  }
}
