import type { Kysely } from 'kysely';
import type { SqlCodec } from './codec.js';
import { createRowMappers, type RowMappers } from './mappers.js';
import type { KitContext } from './shared-reads.js';
import type { EngineColumns, KitTables, SharedTables } from './tables.js';

/** The kit bound to one engine: its mappers, and a way to run the shared queries on a kysely. */
export interface EngineKit<C extends EngineColumns> {
  /** The row mappers, typed in the engine's column types. */
  readonly mappers: RowMappers<C>;
  /** The shared queries' context over `db` (the store's kysely or one transaction). */
  contextOf<DB extends SharedTables<EngineColumns>>(db: Kysely<DB>): KitContext;
}

/**
 * Binds the kit to an engine whose columns are `C` and whose values `codec` converts. The
 * codec must produce what `C` declares (pg: Dates for `timestamptz`; SQLite: milliseconds); this
 * is the one place the kit's wider types are narrowed to an engine's.
 */
export function kitFor<C extends EngineColumns>(codec: SqlCodec): EngineKit<C> {
  const mappers = createRowMappers(codec);
  return {
    mappers: mappers as unknown as RowMappers<C>,
    contextOf: (db) => ({ db: db as unknown as Kysely<KitTables>, codec, mappers }),
  };
}
