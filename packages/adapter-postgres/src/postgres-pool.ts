import type { Logger } from '@stockroom/core';
import type {
  PostgresPool as KyselyPostgresPool,
  PostgresPoolClient as KyselyPostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import { translatePostgresError } from './translate-postgres-error.js';

/** The result of one query, as much of pg's `QueryResult` as the store reads. */
export interface PostgresQueryResultLike {
  readonly command: string;
  readonly rowCount: number | null;
  readonly rows: unknown[];
}

/** The subset of a pg `PoolClient` the store uses. A `pg.PoolClient` fits. */
export interface PostgresPoolClient {
  query(text: string, values: readonly unknown[]): Promise<PostgresQueryResultLike>;
  release(destroy?: boolean): void;
  /**
   * With `removeListener`, lets the store listen for `error` while it holds the client: pg
   * emits it on a checked-out client whose connection dies between two statements, and an
   * unheard `error` event ends the process.
   */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * The subset of a pg `Pool` the store uses, declared structurally (as kysely does) so no pg
 * type appears in this package's API. A `pg.Pool` fits; so does any wrapper with these two
 * methods (the replica-routing test counts queries that way).
 */
export interface PostgresPool {
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
}

/**
 * Wraps a pool for kysely so that every driver failure (checkout or query) is translated in
 * one place: serialization failures and deadlocks become retryable VERSION_CONFLICT, lost
 * connections STORE_UNAVAILABLE (see translate-postgres-error.ts).
 */
export function translatingPool(pool: PostgresPool, logger: Logger): KyselyPostgresPool {
  return {
    async connect() {
      let client: PostgresPoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translatePostgresError(error, { fromDriver: true });
      }
      // Heard only: the next query on this client fails and is translated.
      const onError = (error: Error) => {
        logger.warn({ err: error }, 'a PostgreSQL connection in use failed');
      };
      const listening = client.on !== undefined && client.removeListener !== undefined;
      if (listening) client.on?.('error', onError);
      const query = async (text: unknown, values?: readonly unknown[]) => {
        if (typeof text !== 'string') {
          // Kysely passes a cursor only when a query is streamed; this store never streams.
          throw new TypeError('streaming queries are not supported by the stockroom store');
        }
        try {
          return await client.query(text, values ?? []);
        } catch (error) {
          throw translatePostgresError(error, { fromDriver: true });
        }
      };
      return {
        query: query as KyselyPostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          if (listening) client.removeListener?.('error', onError);
          client.release(destroy);
        },
      };
    },
    end: () => pool.end(),
  };
}

/**
 * Creates a pg pool the store owns (and closes). Idle clients that lose their connection make
 * a pool emit `error`; an unhandled `error` event would crash the process, so it is logged.
 */
export function createOwnedPool(
  connectionString: string,
  max: number,
  logger: Logger,
): PostgresPool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', (error) => {
    logger.warn({ err: error }, 'an idle PostgreSQL connection failed; the pool replaces it');
  });
  return pool;
}
