import {
  isStockroomError,
  type Logger,
  type StockStore,
  StoreUnavailableError,
  silentLogger,
  ValidationError,
} from '@stockroom/core';
import type {
  StockTransaction,
  StoreChangeFeed,
  StoreReads,
  TransactionOptions,
} from '@stockroom/core/adapter-kit';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { resolveLayout, runMigrations } from './migrations/migrate-to-latest.js';
import { postgresBulkWrites } from './postgres-bulk-writes.js';
import { createPostgresChangeFeed } from './postgres-change-feed.js';
import { createOwnedPool, type PostgresPool, translatingPool } from './postgres-pool.js';
import { postgresStockTransaction } from './postgres-stock-transaction.js';
import { postgresStoreReads } from './postgres-store-reads.js';
import { scopeOf } from './queries.js';
import { type ReplicaReads, type ReplicaStats, routeReads } from './replica-router.js';
import type { Database } from './tables.js';
import { translatePostgresError } from './translate-postgres-error.js';

/** Options of {@link createPostgresStockStore}. */
export interface PostgresStockStoreOptions {
  /**
   * The primary: every transaction (reservations, every write, claims) runs here. A `pg.Pool`
   * or anything shaped like {@link PostgresPool}; the store never closes a pool it was given.
   * Give this or `connectionString`.
   */
  readonly pool?: PostgresPool;
  /** Creates (and on `close`, ends) a primary pool of `poolSize` connections. */
  readonly connectionString?: string;
  /** Size of the primary pool created from `connectionString`. @default 10 */
  readonly poolSize?: number;
  /**
   * An optional replica for reads outside transactions (`store.reads`: availability, listings,
   * ledger pages). Those reads may lag the primary by the replica's delay; nothing that decides
   * a write reads through it. Not closed by the store.
   */
  readonly readPool?: PostgresPool;
  /** Creates (and on `close`, ends) a replica pool of `readPoolSize` connections. */
  readonly readConnectionString?: string;
  /** Size of the replica pool created from `readConnectionString`. @default 10 */
  readonly readPoolSize?: number;
  /**
   * `fresh`: a read goes to the replica only when it has replayed every commit that completed
   * before the read started (compared by WAL position), else to the primary, so a replica never
   * makes an answer older. `eventual`: every read goes to the replica, however far behind.
   * @default 'fresh'
   */
  readonly replicaReads?: ReplicaReads;
  /** With `fresh`: how long a read may wait for the replica to catch up. @default 10 */
  readonly replicaWaitMs?: number;
  /**
   * Reports other instances' commits to in-process caches (`store.changes`) by LISTEN/NOTIFY:
   * installs a trigger on `stock` and `warehouses` that notifies every committed change (so
   * every writer on the schema notifies from then on, and PostgreSQL serialises the commits of
   * notifying transactions), and holds one primary connection for LISTEN. Turn it on to run
   * `MemoryAvailabilityCache` with several instances on one database and no shared cache.
   * @default false
   */
  readonly changeFeed?: boolean;
  /** The schema holding the tables. @default 'stockroom' */
  readonly schema?: string;
  /**
   * 0 for plain tables; N (2–256) for `stock` and `movements` hash-partitioned by warehouse id
   * into N partitions. Read by the first migration of a schema only. @default 0
   */
  readonly partitions?: number;
  /**
   * Runs `migrateToLatest` before the first use (once per store), as the SQLite adapter does.
   * Pass `false` when migrations run at deploy time (then a store used on an unmigrated schema
   * answers STORE_UNAVAILABLE saying how to migrate). @default true
   */
  readonly migrate?: boolean;
  /** A pino-compatible logger (pool errors, migrations, lost connections). @default silent */
  readonly logger?: Logger;
}

/**
 * The PostgreSQL store: READ COMMITTED transactions with versioned guarded writes, row locks on
 * request (`SELECT … FOR UPDATE` in (sku, warehouse_id) order), `FOR UPDATE SKIP LOCKED` claims
 * for the expiry sweeper and the outbox relay, and optional replica reads.
 */
export class PostgresStockStore implements StockStore {
  /** Row locks, SKIP LOCKED claims, and any number of processes on one database. */
  readonly capabilities = { lockingReads: true, skipLocked: true, multiProcess: true } as const;
  /** Reads outside transactions: on the replica when one is configured and fresh enough, else the primary. */
  readonly reads: StoreReads;
  /** The schema holding the tables. */
  readonly schema: string;
  /** The partition count used when this store's migration creates the tables. */
  readonly partitions: number;
  private readonly primary: Kysely<Database>;
  private readonly replica: Kysely<Database> | undefined;
  private readonly routing: ReturnType<typeof routeReads> | undefined;
  private readonly feed: ReturnType<typeof createPostgresChangeFeed> | undefined;
  /** Other instances' commits (with `changeFeed: true`), for in-process caches. */
  readonly changes?: StoreChangeFeed;
  private readonly owned: PostgresPool[] = [];
  private readonly logger: Logger;
  private readonly autoMigrate: boolean;
  private migration: Promise<string[]> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: PostgresStockStoreOptions) {
    const layout = resolveLayout(options);
    this.schema = layout.schema;
    this.partitions = layout.partitions;
    this.logger = options.logger ?? silentLogger;
    this.autoMigrate = options.migrate ?? true;
    const primaryPool = this.poolOf(options.pool, options.connectionString, options.poolSize);
    if (!primaryPool) {
      throw new ValidationError([{ path: 'pool', message: 'give a pool or a connectionString' }]);
    }
    const readPool = this.poolOf(
      options.readPool,
      options.readConnectionString,
      options.readPoolSize,
    );
    this.primary = kyselyOn(primaryPool, this.logger);
    this.replica = readPool ? kyselyOn(readPool, this.logger) : undefined;
    let reads = postgresStoreReads(scopeOf(this.primary, this.schema));
    if (this.replica) {
      this.routing = routeReads({
        primary: this.primary,
        replica: this.replica,
        primaryReads: reads,
        replicaReads: postgresStoreReads(scopeOf(this.replica, this.schema)),
        mode: options.replicaReads ?? 'fresh',
        waitMs: options.replicaWaitMs ?? 10,
        logger: this.logger,
      });
      reads = this.routing.reads;
    }
    this.reads = guardReads(reads, () => this.ready());
    if (options.changeFeed) {
      this.feed = createPostgresChangeFeed({
        pool: primaryPool,
        schema: this.schema,
        logger: this.logger,
        ready: () => this.ready(),
      });
      this.changes = this.feed;
    }
  }

  /** Where reads went (replica or primary) and the last seen replica lag; undefined without a replica. */
  get replicaStats(): Readonly<ReplicaStats> | undefined {
    return this.routing?.stats;
  }

  /**
   * The replica's lag now: WAL bytes behind the primary and seconds since its last replayed
   * commit (0 when caught up); `null` seconds when unknown. Undefined without a replica.
   * @throws STORE_UNAVAILABLE
   */
  async replicaLag(): Promise<
    { readonly bytes: number; readonly seconds: number | null } | undefined
  > {
    if (!this.routing) return undefined;
    try {
      return await this.routing.lag();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * Runs `work` in one READ COMMITTED transaction on one pooled connection of the primary.
   * Serialization failures and deadlocks surface as retryable VERSION_CONFLICT, a lost
   * connection as STORE_UNAVAILABLE. `options.mode` needs nothing up front here: pessimistic
   * callers lock rows with `read(…, { lock: true })`.
   */
  async transaction<T>(
    work: (transaction: StockTransaction) => Promise<T>,
    _options?: TransactionOptions,
  ): Promise<T> {
    await this.ready();
    try {
      return await this.primary
        .transaction()
        .setIsolationLevel('read committed')
        .execute((transaction) => {
          const scope = scopeOf(transaction, this.schema);
          return work({ ...postgresStockTransaction(scope), bulk: postgresBulkWrites(scope) });
        });
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * Creates or upgrades the tables (see `migrateToLatest`). Runs once per store: later calls
   * (and the lazy run of `migrate: true`) share the first run, which is retried only if it failed.
   * @returns the migrations that run applied (empty when the schema was up to date)
   */
  migrate(): Promise<string[]> {
    if (this.closing) return Promise.reject(closedError());
    this.migration ??= runMigrations(
      this.primary as unknown as Kysely<unknown>,
      { schema: this.schema, partitions: this.partitions },
      this.logger,
    ).catch((error: unknown) => {
      this.migration = undefined;
      throw error;
    });
    return this.migration;
  }

  /** Checks the primary (and the replica, when there is one) answer. @throws STORE_UNAVAILABLE */
  async ping(): Promise<void> {
    if (this.closing) throw closedError();
    try {
      await sql`SELECT 1`.execute(this.primary);
      if (this.replica) await sql`SELECT 1`.execute(this.replica);
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Ends the pools this store created (never a pool it was given). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.feed?.close().catch((error: unknown) => {
        this.logger.debug({ err: error }, 'closing the change feed failed');
      });
      await Promise.all(this.owned.map((pool) => pool.end()));
    })();
    return this.closing;
  }

  private async ready(): Promise<void> {
    if (this.closing) throw closedError();
    if (this.autoMigrate) await this.migrate();
  }

  private poolOf(
    given: PostgresPool | undefined,
    connectionString: string | undefined,
    size: number | undefined,
  ): PostgresPool | undefined {
    if (given) return given;
    if (!connectionString) return undefined;
    const pool = createOwnedPool(connectionString, size ?? 10, this.logger);
    this.owned.push(pool);
    return pool;
  }

  private translate(error: unknown): unknown {
    const translated = translatePostgresError(error);
    if (isStockroomError(translated) && translated.code === 'STORE_UNAVAILABLE') {
      this.logger.warn({ err: error }, 'PostgreSQL store unavailable');
    }
    return translated;
  }
}

function kyselyOn(pool: PostgresPool, logger: Logger): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: translatingPool(pool, logger) }),
  });
}

function closedError(): StoreUnavailableError {
  return new StoreUnavailableError('The PostgreSQL store is closed');
}

/** Wraps every read so it waits for the lazy migration and translates driver errors. */
function guardReads(reads: StoreReads, ready: () => Promise<void>): StoreReads {
  const guarded: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(reads)) {
    guarded[name] = async (...args: unknown[]) => {
      await ready();
      try {
        return await (read as (...parameters: unknown[]) => Promise<unknown>)(...args);
      } catch (error) {
        throw translatePostgresError(error);
      }
    };
  }
  return guarded as unknown as StoreReads;
}

/**
 * Creates the PostgreSQL store. It connects and migrates lazily, on first use; to connect and
 * migrate before going on (and fail at start), use {@link openPostgresStockStore}.
 *
 * @example
 * ```ts
 * const store = createPostgresStockStore({
 *   connectionString: process.env.DATABASE_URL,
 *   readConnectionString: process.env.DATABASE_REPLICA_URL, // optional
 *   schema: 'stockroom',
 *   migrate: true,
 * });
 * const stockroom = createStockroom({ store });
 * ```
 * @throws VALIDATION_FAILED without a pool or connection string, or for a bad schema name or
 *   partition count
 */
export function createPostgresStockStore(options: PostgresStockStoreOptions): PostgresStockStore {
  return new PostgresStockStore(options);
}

/**
 * Opens the PostgreSQL store: creates it, and unless `migrate: false`, migrates the schema
 * before resolving, so a database that cannot be reached or migrated fails here. The same shape
 * as the SQLite adapter's `openSqliteStockStore`: `await open…StockStore(options)`, migrated by
 * default.
 *
 * @example
 * ```ts
 * const store = await openPostgresStockStore({ connectionString: process.env.DATABASE_URL });
 * const stockroom = createStockroom({ store });
 * ```
 * @throws STORE_UNAVAILABLE when the database cannot be reached; VALIDATION_FAILED for bad
 *   options
 */
export async function openPostgresStockStore(
  options: PostgresStockStoreOptions,
): Promise<PostgresStockStore> {
  const store = new PostgresStockStore(options);
  try {
    if (options.migrate ?? true) await store.migrate();
    else await store.ping();
  } catch (error) {
    await store.close().catch(() => {});
    throw translatePostgresError(error);
  }
  return store;
}
