import { isStockroomError, type Logger } from '@stockroom/core';
import type { StoreReads } from '@stockroom/core/adapter-kit';
import { type Kysely, sql } from 'kysely';
import type { Database } from './tables.js';

/** How reads outside transactions use the replica. */
export type ReplicaReads = 'fresh' | 'eventual';

/** Counters of the replica routing (plain numbers; the example server exports them). */
export interface ReplicaStats {
  /** Reads served by the replica. */
  replicaReads: number;
  /** Reads served by the primary because the replica had not replayed far enough in time. */
  primaryReads: number;
  /** Replica reads that first waited for the standby to replay far enough. */
  waited: number;
  /** Reads sent back to the primary because the replica failed. */
  replicaFailures: number;
  /** WAL bytes the replica was behind the primary at the last comparison (0 when caught up). */
  lagBytes: number;
}

/** What {@link routeReads} needs. */
export interface ReplicaRouterOptions {
  readonly primary: Kysely<Database>;
  readonly replica: Kysely<Database>;
  readonly primaryReads: StoreReads;
  readonly replicaReads: StoreReads;
  /**
   * `fresh` (the default): a read goes to the replica only once it has replayed every commit
   * that completed before the read started (DESIGN invariant 8), else to the primary.
   * `eventual`: every read goes to the replica, however far behind (the pre-0.2 behaviour).
   */
  readonly mode: ReplicaReads;
  /** How long a read may wait for the replica to catch up before going to the primary. */
  readonly waitMs: number;
  readonly logger: Logger;
}

/** A WAL position (`X/Y` in hex) as a number of bytes. */
export function lsnToBigInt(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/**
 * Runs `load` so that a caller that arrived before a run started shares that run, and a caller
 * that arrived while a run was already going waits for the next one (whose answer is then at
 * least as new as its arrival). One run at a time.
 */
function sharedFresh<T>(load: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const next = (): Promise<T> => {
    if (!running) {
      const run = load().finally(() => {
        if (running === run) running = undefined;
      });
      running = run;
      return run;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return next();
      });
    return queued;
  };
  return next;
}

/**
 * Routes reads outside transactions between the primary and a streaming replica so that a read
 * never answers older than a commit that completed before it started, through any process:
 *
 * 1. The primary's WAL flush position is read (`pg_current_wal_flush_lsn()`, no table touched;
 *    every acknowledged commit lies at or before it). Concurrent reads share one query, as long
 *    as it started after they did.
 * 2. The replica's replay position (`pg_last_wal_replay_lsn()`) only grows, so the last one
 *    seen is a lower bound: when it has reached the target, the read goes to the replica at
 *    once. Otherwise the replica is asked again (shared by concurrent reads) every millisecond
 *    for up to `waitMs`, then the read goes to the primary.
 *
 * A replica that is not a streaming standby (`pg_last_wal_replay_lsn()` is NULL: a logical
 * replica, or a plain server) cannot prove what it has: every read goes to the primary and a
 * warning is logged once. A failed replica read is retried on the primary.
 */
export function routeReads(options: ReplicaRouterOptions): {
  readonly reads: StoreReads;
  readonly stats: ReplicaStats;
  /** The replica's lag right now (bytes of WAL, and seconds since its last replayed commit). */
  lag(): Promise<{ readonly bytes: number; readonly seconds: number | null }>;
} {
  const stats: ReplicaStats = {
    replicaReads: 0,
    primaryReads: 0,
    waited: 0,
    replicaFailures: 0,
    lagBytes: 0,
  };
  const { primary, replica, logger } = options;
  let replayed = -1n;
  let notStandby = false;

  const primaryPosition = sharedFresh(async () => {
    const result = await sql<{
      lsn: string;
    }>`SELECT pg_current_wal_flush_lsn()::text AS lsn`.execute(primary);
    return lsnToBigInt(result.rows[0]!.lsn);
  });
  const replayPosition = sharedFresh(async () => {
    const result = await sql<{
      lsn: string | null;
    }>`SELECT pg_last_wal_replay_lsn()::text AS lsn`.execute(replica);
    const lsn = result.rows[0]?.lsn ?? null;
    if (lsn === null) {
      if (!notStandby) {
        logger.warn(
          {},
          'the read replica is not a streaming standby (pg_last_wal_replay_lsn() is NULL); reads go to the primary',
        );
      }
      notStandby = true;
      return -1n;
    }
    const position = lsnToBigInt(lsn);
    if (position > replayed) replayed = position;
    return replayed;
  });

  const replicaCaughtUp = async (): Promise<boolean> => {
    if (notStandby) return false;
    const target = await primaryPosition();
    if (replayed >= target) {
      stats.lagBytes = 0;
      return true;
    }
    const deadline = performance.now() + options.waitMs;
    for (let attempt = 0; ; attempt += 1) {
      const position = await replayPosition();
      if (position >= target) {
        stats.lagBytes = 0;
        if (attempt > 0) stats.waited += 1;
        return true;
      }
      stats.lagBytes = notStandby ? 0 : Number(target - position);
      if (notStandby || performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };

  const routed: Record<string, unknown> = {};
  for (const name of Object.keys(options.primaryReads) as Array<keyof StoreReads>) {
    const onPrimary = options.primaryReads[name] as (...args: unknown[]) => Promise<unknown>;
    const onReplica = options.replicaReads[name] as (...args: unknown[]) => Promise<unknown>;
    routed[name] = async (...args: unknown[]) => {
      if (options.mode === 'eventual') {
        stats.replicaReads += 1;
        return onReplica(...args);
      }
      let useReplica = false;
      try {
        useReplica = await replicaCaughtUp();
      } catch (error) {
        // The primary's position failed: the read below fails the same way; the replica's
        // position failed: read the primary.
        stats.replicaFailures += 1;
        logger.debug({ err: error }, 'replica position unknown; reading the primary');
      }
      if (useReplica) {
        try {
          const answer = await onReplica(...args);
          stats.replicaReads += 1;
          return answer;
        } catch (error) {
          if (isStockroomError(error) && error.code !== 'STORE_UNAVAILABLE') throw error;
          stats.replicaFailures += 1;
          logger.warn({ err: error }, 'a replica read failed; reading the primary');
        }
      }
      stats.primaryReads += 1;
      return onPrimary(...args);
    };
  }
  return {
    reads: routed as unknown as StoreReads,
    stats,
    async lag() {
      const [target, standby] = await Promise.all([
        primaryPosition(),
        sql<{
          lsn: string | null;
          seconds: number | null;
        }>`SELECT pg_last_wal_replay_lsn()::text AS lsn,
             extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS seconds`.execute(
          replica,
        ),
      ]);
      const row = standby.rows[0];
      if (!row?.lsn) return { bytes: 0, seconds: null };
      const position = lsnToBigInt(row.lsn);
      // Caught up: lag 0 (the time since the last replayed commit is idleness, not lag).
      if (position >= target) return { bytes: 0, seconds: 0 };
      return {
        bytes: Number(target - position),
        seconds: row.seconds === null ? null : Number(row.seconds),
      };
    },
  };
}
