import { type Logger, StoreUnavailableError } from '@stockroom/core';
import type { StoreChangeFeed, StoreChanges } from '@stockroom/core/adapter-kit';
import type { PostgresPool, PostgresPoolClient } from './postgres-pool.js';
import { translatePostgresError } from './translate-postgres-error.js';

/** The channel every stockroom schema notifies on; the payload names the schema. */
export const CHANGE_CHANNEL = 'stockroom_changes';

/** A pooled client that can LISTEN (a `pg.PoolClient` fits). */
interface ListeningClient extends PostgresPoolClient {
  on(
    event: 'notification',
    listener: (message: { payload?: string; processId?: number }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

function hasNotifications(client: PostgresPoolClient): client is ListeningClient {
  return typeof (client as { on?: unknown }).on === 'function';
}

/**
 * The trigger that makes every committed change to `stock` or `warehouses` in `schema` notify
 * {@link CHANGE_CHANNEL} (`s|<schema>|<sku>` per stock row, `w|<schema>|` per warehouse
 * statement). `pg_notify` inside the writing transaction is delivered on commit, and only then.
 * Installed by the first change feed opened on the schema (idempotent).
 *
 * The cost: PostgreSQL serialises the commits of notifying transactions in a database (a lock
 * held from pre-commit to the end of commit), so every write pays for it, whoever listens.
 */
function triggerStatements(schema: string): string[] {
  const id = (name: string) => `"${schema}"."${name}"`;
  return [
    `CREATE OR REPLACE FUNCTION ${id('stockroom_notify_change')}() RETURNS trigger
       LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_TABLE_NAME = 'warehouses' THEN
         PERFORM pg_notify('${CHANGE_CHANNEL}', 'w|' || TG_TABLE_SCHEMA || '|');
       ELSIF TG_OP = 'DELETE' THEN
         PERFORM pg_notify('${CHANGE_CHANNEL}', 's|' || TG_TABLE_SCHEMA || '|' || OLD.sku);
       ELSE
         PERFORM pg_notify('${CHANGE_CHANNEL}', 's|' || TG_TABLE_SCHEMA || '|' || NEW.sku);
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE OR REPLACE TRIGGER stockroom_stock_changes
       AFTER INSERT OR UPDATE OR DELETE ON ${id('stock')}
       FOR EACH ROW EXECUTE FUNCTION ${id('stockroom_notify_change')}()`,
    `CREATE OR REPLACE TRIGGER stockroom_warehouse_changes
       AFTER INSERT OR UPDATE OR DELETE ON ${id('warehouses')}
       FOR EACH STATEMENT EXECUTE FUNCTION ${id('stockroom_notify_change')}()`,
  ];
}

/** What {@link createPostgresChangeFeed} needs. */
export interface PostgresChangeFeedOptions {
  /** The primary pool: one of its connections is held for LISTEN while the feed is open. */
  readonly pool: PostgresPool;
  readonly schema: string;
  readonly logger: Logger;
  /** Waits for the schema's migration (the trigger needs the tables). */
  readonly ready: () => Promise<void>;
}

/** The pool events the feed listens to, when the pool emits them (a pg.Pool does). */
interface PoolEvents {
  on?(event: 'connect' | 'remove', listener: (client: { processID?: number }) => void): unknown;
  removeListener?(
    event: 'connect' | 'remove',
    listener: (client: { processID?: number }) => void,
  ): unknown;
}

/**
 * Commits made by other instances on the same PostgreSQL schema, by LISTEN/NOTIFY: a trigger
 * notifies every committed change to a stock row or a warehouse; one connection per process
 * listens. Before each answer from an in-process cache, `poll()` runs `SELECT 1` on the
 * listening connection: PostgreSQL sends every notification of a transaction that committed
 * before that query ahead of its answer, so a commit acknowledged before the poll began is
 * always reported by it. A lost listening connection reports `everything` once it is back
 * (notifications sent meanwhile are gone); while it is down, polls throw and the core drops the
 * in-process cache on every check.
 *
 * Commits made through this store's own pool are not reported (their notifications carry the
 * server process id of one of the pool's connections, as recorded when the pool connected it):
 * the core already updated the cache for them. Two store objects sharing one pool count as one.
 */
export function createPostgresChangeFeed(
  options: PostgresChangeFeedOptions,
): StoreChangeFeed & { close(): Promise<void> } {
  const { pool, schema, logger } = options;
  let client: ListeningClient | undefined;
  let connecting: Promise<ListeningClient> | undefined;
  let closed = false;
  let everything = true;
  let warehouses = false;
  let skus = new Set<string>();
  const prefix = `|${schema}|`;

  // The server processes of this pool's connections: their commits are this store's own (the
  // core updated the cache for them at commit), so their notifications are not reported.
  const own = new Set<number>();
  const events = pool as unknown as PoolEvents;
  const onConnect = (connected: { processID?: number }) => {
    if (typeof connected.processID === 'number') own.add(connected.processID);
  };
  const onRemove = (removed: { processID?: number }) => {
    if (typeof removed.processID === 'number') own.delete(removed.processID);
  };
  if (typeof events.on === 'function') {
    events.on('connect', onConnect);
    events.on('remove', onRemove);
  }

  const onNotification = (message: { payload?: string; processId?: number }) => {
    if (message.processId !== undefined && own.has(message.processId)) return;
    const payload = message.payload ?? '';
    const kind = payload.slice(0, 1);
    if (payload.slice(1, 1 + prefix.length) !== prefix) return;
    if (kind === 'w') warehouses = true;
    else if (kind === 's') skus.add(payload.slice(1 + prefix.length));
  };

  const drop = (held: ListeningClient, error?: unknown) => {
    if (client !== held) return;
    client = undefined;
    everything = true;
    if (error) logger.warn({ err: error }, 'the PostgreSQL change feed lost its connection');
    try {
      held.release(true);
    } catch {
      // Already gone.
    }
  };

  const connect = async (): Promise<ListeningClient> => {
    await options.ready();
    const held = await pool.connect();
    if (!hasNotifications(held)) {
      held.release();
      throw new StoreUnavailableError(
        'the change feed needs a pool whose clients emit notifications (a pg.Pool)',
      );
    }
    try {
      for (const statement of triggerStatements(schema)) {
        await installing(held, statement);
      }
      held.on('notification', onNotification);
      held.on('error', (error) => drop(held, error));
      held.on('end', () => drop(held));
      // Named, so an operator can tell the held connection apart in pg_stat_activity.
      await held.query(`SELECT set_config('application_name', $1, false)`, [
        `stockroom change feed ${schema}`.slice(0, 63),
      ]);
      await held.query(`LISTEN ${CHANGE_CHANNEL}`, []);
    } catch (error) {
      held.release(true);
      throw error;
    }
    // Whatever happened before the LISTEN is unknown: the first poll reports everything.
    everything = true;
    client = held;
    return held;
  };

  return {
    async poll(): Promise<StoreChanges> {
      if (closed) throw new StoreUnavailableError('The PostgreSQL change feed is closed');
      let listening = client;
      if (!listening) {
        connecting ??= connect().finally(() => {
          connecting = undefined;
        });
        listening = await connecting;
      }
      try {
        // The barrier: notifications of every commit before this query arrive before its answer.
        await listening.query('SELECT 1', []);
      } catch (error) {
        drop(listening, error);
        throw translatePostgresError(error, { fromDriver: true });
      }
      if (everything) {
        everything = false;
        warehouses = false;
        skus = new Set();
        return { everything: true };
      }
      const changes: StoreChanges = { everything: false, skus: [...skus], warehouses };
      skus = new Set();
      warehouses = false;
      return changes;
    },
    async close() {
      closed = true;
      events.removeListener?.('connect', onConnect);
      events.removeListener?.('remove', onRemove);
      const held = client ?? (await connecting?.catch(() => undefined));
      if (!held) return;
      client = undefined;
      try {
        await held.query(`UNLISTEN ${CHANGE_CHANNEL}`, []);
        held.release();
      } catch {
        held.release(true);
      }
    },
  };
}

/** Runs one DDL statement, retrying once when another instance installs it at the same time. */
async function installing(client: PostgresPoolClient, statement: string): Promise<void> {
  try {
    await client.query(statement, []);
  } catch (error) {
    // "tuple concurrently updated" (XX000) or a unique violation on the catalog (23505).
    const code = (error as { code?: string }).code;
    if (code !== 'XX000' && code !== '23505') throw error;
    await client.query(statement, []);
  }
}
