import { type Kysely, type Migration, sql } from 'kysely';

// Partial commit and release: each reservation line counts the units already committed and
// released while its hold was ACTIVE (0 for existing lines). The units a line still holds are
// `quantity - committed - released`. Numbered 0009: 0007 and 0008 belong to other features.
const up = [
  'ALTER TABLE reservation_lines ADD COLUMN committed INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0)',
  'ALTER TABLE reservation_lines ADD COLUMN released INTEGER NOT NULL DEFAULT 0 CHECK (released >= 0)',
];

const down = [
  'ALTER TABLE reservation_lines DROP COLUMN released',
  'ALTER TABLE reservation_lines DROP COLUMN committed',
];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** The `committed` and `released` columns of reservation lines. */
export const holdParts: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
