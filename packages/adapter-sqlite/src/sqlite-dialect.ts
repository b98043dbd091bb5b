import { AsyncMutex } from '@stockroom/core/adapter-kit';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { translateSqliteError } from './translate-sqlite-error.js';

/**
 * The part of a better-sqlite3 `Database` this package uses, declared structurally (as kysely
 * does) so the published types do not depend on `@types/better-sqlite3`.
 */
export interface SqliteDatabase {
  /** The file name given when it was opened (`:memory:` or `''` for in-memory databases). */
  readonly name: string;
  /** True for in-memory and temporary databases. */
  readonly memory: boolean;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(source: string): SqliteStatement;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}

/** The part of a better-sqlite3 `Statement` this package uses. */
export interface SqliteStatement {
  readonly reader: boolean;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/** How a {@link createSqliteDialect} connection behaves. */
export interface SqliteDialectOptions {
  /**
   * The statement that opens a kysely transaction. The write connection uses `BEGIN IMMEDIATE`
   * so the write lock is taken up front: a transaction never fails half way because another
   * process wrote first, and a process waiting for the lock waits `busy_timeout` at BEGIN.
   */
  readonly begin: 'BEGIN IMMEDIATE' | 'BEGIN DEFERRED';
  /** Close the database when the kysely instance is destroyed (only what we opened). */
  readonly owned: boolean;
}

// Prepared statements kept per connection. kysely's own SQLite driver prepares every query
// again; the store runs a small set of statements over and over, so caching them saves the
// parse and plan on every call. Statements with a variable number of placeholders (IN lists,
// multi-row inserts) make more distinct texts, hence the bound.
const STATEMENT_CACHE_SIZE = 256;

class StatementCache {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly database: SqliteDatabase) {}

  get(source: string): SqliteStatement {
    let statement = this.statements.get(source);
    if (statement === undefined) {
      statement = this.database.prepare(source);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const leastRecent = this.statements.keys().next().value as string;
        this.statements.delete(leastRecent);
      }
    } else {
      // Re-inserting keeps the Map in least-recently-used order.
      this.statements.delete(source);
    }
    this.statements.set(source, statement);
    return statement;
  }

  clear(): void {
    this.statements.clear();
  }
}

class SqliteConnection implements DatabaseConnection {
  constructor(private readonly statements: StatementCache) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const statement = this.statements.get(compiledQuery.sql);
      const parameters = compiledQuery.parameters as unknown[];
      if (statement.reader) {
        return Promise.resolve({ rows: statement.all(...parameters) as R[] });
      }
      const { changes, lastInsertRowid } = statement.run(...parameters);
      return Promise.resolve({
        rows: [],
        numAffectedRows: BigInt(changes),
        insertId: BigInt(lastInsertRowid),
      });
    } catch (error) {
      return Promise.reject(translateSqliteError(error));
    }
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the stockroom SQLite driver does not stream queries');
  }
}

/**
 * One better-sqlite3 connection behind kysely. Callers take the connection one at a time, in
 * arrival order (better-sqlite3 is one synchronous connection; a transaction holds it across
 * awaits, so nobody else may slip a statement into it).
 */
class SqliteDriver implements Driver {
  private readonly mutex = new AsyncMutex();
  private readonly statements: StatementCache;
  private readonly connection: SqliteConnection;
  private release: (() => void) | undefined;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly options: SqliteDialectOptions,
  ) {
    this.statements = new StatementCache(database);
    this.connection = new SqliteConnection(this.statements);
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return new Promise((acquired) => {
      void this.mutex.run(
        () =>
          new Promise<void>((release) => {
            this.release = release;
            acquired(this.connection);
          }),
      );
    });
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(this.options.begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite rolls back on its own after some errors (SQLITE_FULL, SQLITE_IOERR, a failed
    // COMMIT …); a second ROLLBACK would then fail and hide the error that caused it.
    if (!this.database.open || !this.database.inTransaction) return;
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async destroy(): Promise<void> {
    this.statements.clear();
    if (this.options.owned && this.database.open) this.database.close();
  }
}

// kysely's SQLite adapter reports no transactional DDL, so its Migrator would run migrations
// outside a transaction with no lock between processes. SQLite's DDL is transactional; with
// BEGIN IMMEDIATE the migration transaction is also the lock that makes a second process wait
// and then find the migrations applied.
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * A kysely dialect over one better-sqlite3 connection: kysely's SQLite compiler, adapter and
 * introspector with a driver that begins transactions as told, serialises callers FIFO, caches
 * prepared statements, translates driver errors (translate-sqlite-error.ts) and closes the
 * database on `destroy` only when it owns it.
 */
export function createSqliteDialect(
  database: SqliteDatabase,
  options: SqliteDialectOptions,
): Dialect {
  return {
    createDriver: () => new SqliteDriver(database, options),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
    createAdapter: (): DialectAdapter => new TransactionalSqliteAdapter(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
}
