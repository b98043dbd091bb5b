import { type Kysely, type Migration, sql } from 'kysely';

// Ledger checkpoints (verified snapshots of a row at a version, written by reconciliation) and
// the archive horizon (movements recorded before it may have been exported and removed).
const up = [
  `CREATE TABLE ledger_checkpoints (
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    available INTEGER NOT NULL CHECK (available >= 0),
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    damaged INTEGER NOT NULL CHECK (damaged >= 0),
    in_transit INTEGER NOT NULL CHECK (in_transit >= 0),
    moved_at INTEGER NOT NULL,
    last_restocked_at INTEGER,
    last_sold_at INTEGER,
    verified_at INTEGER NOT NULL,
    PRIMARY KEY (sku, warehouse_id, version)
  ) STRICT, WITHOUT ROWID`,
  // Pruning finds superseded checkpoints before a horizon.
  'CREATE INDEX ledger_checkpoints_by_time ON ledger_checkpoints (moved_at)',
  `CREATE TABLE ledger_horizon (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    archived_before INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
];

const down = ['DROP TABLE ledger_horizon', 'DROP TABLE ledger_checkpoints'];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Ledger checkpoints and the archive horizon. */
export const ledgerHistory: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
