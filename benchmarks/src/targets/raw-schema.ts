import type pg from 'pg';

/**
 * The tables the raw and naive scenarios write: the same SQL work a reservation needs (a
 * guarded stock row, a reservation row, a ledger row), without the library. `schema` comes from
 * `uniqueSchema`, so it is safe to interpolate.
 */
export async function createRawSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`
    CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".stock (
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      available integer NOT NULL CHECK (available >= 0),
      reserved integer NOT NULL CHECK (reserved >= 0),
      version integer NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (sku, warehouse_id)
    );
    CREATE TABLE "${schema}".reservations (
      id text PRIMARY KEY,
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      quantity integer NOT NULL,
      status text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE TABLE "${schema}".movements (
      id text PRIMARY KEY,
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      type text NOT NULL,
      delta_available integer NOT NULL,
      delta_reserved integer NOT NULL,
      available_after integer NOT NULL,
      reserved_after integer NOT NULL,
      version integer NOT NULL,
      reservation_id text,
      created_at timestamptz NOT NULL,
      UNIQUE (sku, warehouse_id, version)
    );
  `);
}

/** Adds `units` to a row (creating it) with its RESTOCK movement, in one transaction. */
export async function seedRawStock(
  pool: pg.Pool,
  schema: string,
  key: { readonly sku: string; readonly warehouseId: string },
  units: number,
  movementId: string,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const row = await client.query<{ available: number; reserved: number; version: number }>(
      `INSERT INTO "${schema}".stock AS s (sku, warehouse_id, available, reserved, version, updated_at)
       VALUES ($1, $2, $3, 0, 1, now())
       ON CONFLICT (sku, warehouse_id) DO UPDATE
         SET available = s.available + $3, version = s.version + 1, updated_at = now()
       RETURNING available, reserved, version`,
      [key.sku, key.warehouseId, units],
    );
    const after = row.rows[0]!;
    await client.query(
      `INSERT INTO "${schema}".movements (id, sku, warehouse_id, type, delta_available,
         delta_reserved, available_after, reserved_after, version, reservation_id, created_at)
       VALUES ($1, $2, $3, 'RESTOCK', $4, 0, $5, $6, $7, NULL, now())`,
      [movementId, key.sku, key.warehouseId, units, after.available, after.reserved, after.version],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Replays the raw ledger in SQL: each movement's `after` equals the running sum and versions
 * run 1, 2, 3 … per row; each stock row equals its movements' sum; `reserved` equals the sum of
 * ACTIVE reservations. Returns the problems (empty when all hold).
 */
export async function verifyRawLedger(pool: pg.Pool, schema: string): Promise<string[]> {
  const [chain, rows, holds] = await Promise.all([
    pool.query<{ bad: string }>(`
      SELECT count(*) AS bad FROM (
        SELECT version, available_after, reserved_after,
               sum(delta_available) OVER w AS running_available,
               sum(delta_reserved) OVER w AS running_reserved,
               row_number() OVER w AS position
        FROM "${schema}".movements
        WINDOW w AS (PARTITION BY sku, warehouse_id ORDER BY version)
      ) m
      WHERE available_after <> running_available OR reserved_after <> running_reserved
         OR version <> position`),
    pool.query<{ bad: string }>(`
      SELECT count(*) AS bad FROM "${schema}".stock s
      LEFT JOIN (
        SELECT sku, warehouse_id, sum(delta_available) AS available,
               sum(delta_reserved) AS reserved, max(version) AS version
        FROM "${schema}".movements GROUP BY sku, warehouse_id
      ) m USING (sku, warehouse_id)
      WHERE s.available <> coalesce(m.available, 0) OR s.reserved <> coalesce(m.reserved, 0)
         OR s.version <> coalesce(m.version, 0)`),
    pool.query<{ bad: string }>(`
      SELECT count(*) AS bad FROM "${schema}".stock s
      LEFT JOIN (
        SELECT sku, warehouse_id, sum(quantity) AS quantity
        FROM "${schema}".reservations WHERE status = 'ACTIVE' GROUP BY sku, warehouse_id
      ) r USING (sku, warehouse_id)
      WHERE s.reserved <> coalesce(r.quantity, 0)`),
  ]);
  const problems: string[] = [];
  const count = (result: pg.QueryResult<{ bad: string }>) => Number(result.rows[0]?.bad ?? 0);
  if (count(chain) > 0) problems.push(`ledger chain: ${count(chain)} movement(s) out of step`);
  if (count(rows) > 0) problems.push(`ledger replay: ${count(rows)} stock row(s) differ`);
  if (count(holds) > 0) problems.push(`reserved ≠ active holds: ${count(holds)} row(s)`);
  return problems;
}

/** A row's available and reserved units. */
export async function readRawStock(
  pool: pg.Pool,
  schema: string,
  sku: string,
): Promise<{ available: number; reserved: number }> {
  const result = await pool.query<{ available: number; reserved: number }>(
    `SELECT coalesce(sum(available), 0)::int AS available, coalesce(sum(reserved), 0)::int AS reserved
     FROM "${schema}".stock WHERE sku = $1`,
    [sku],
  );
  return result.rows[0] ?? { available: 0, reserved: 0 };
}
