import { setTimeout as sleep } from 'node:timers/promises';
import { uuid7 } from '@stockroom/core';
import type pg from 'pg';
import type { ScenarioContext } from '../scenario.js';
import { createPool, dropSchema, uniqueSchema } from '../stores.js';
import { createRawSchema, readRawStock, seedRawStock, verifyRawLedger } from './raw-schema.js';
import type { ReservationTarget, ReserveOutcome } from './reservation-target.js';

const WAREHOUSE = 'wh-hot';
const TTL = "interval '10 minutes'";

interface RawBase {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly counters: { retries: number; conflicts: number };
}

async function openRaw(context: ScenarioContext, label: string): Promise<RawBase> {
  const pool = createPool(context);
  const schema = uniqueSchema(label);
  await createRawSchema(pool, schema);
  return { pool, schema, counters: { retries: 0, conflicts: 0 } };
}

function baseTarget(
  context: ScenarioContext,
  raw: RawBase,
  reserve: ReservationTarget['reserve'],
  extra: Partial<ReservationTarget> = {},
): ReservationTarget {
  return {
    seed: (sku, units) =>
      seedRawStock(raw.pool, raw.schema, { sku, warehouseId: WAREHOUSE }, units, uuid7()),
    reserve,
    stock: (sku) => readRawStock(raw.pool, raw.schema, sku),
    counters: () => ({ ...raw.counters }),
    verifyLedger: () => verifyRawLedger(raw.pool, raw.schema),
    close: async () => {
      await raw.pool.end();
      await dropSchema(context, raw.schema);
    },
    ...extra,
  };
}

/** Runs `work` in BEGIN … COMMIT on one pooled connection (ROLLBACK when it throws). */
async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

class Refused extends Error {}

async function insertReservation(
  client: pg.PoolClient,
  schema: string,
  sku: string,
  quantity: number,
  after: { readonly available: number; readonly reserved: number; readonly version: number },
): Promise<void> {
  const reservationId = uuid7();
  await client.query(
    `INSERT INTO "${schema}".reservations (id, sku, warehouse_id, quantity, status, created_at, expires_at)
     VALUES ($1, $2, $3, $4, 'ACTIVE', now(), now() + ${TTL})`,
    [reservationId, sku, WAREHOUSE, quantity],
  );
  await client.query(
    `INSERT INTO "${schema}".movements (id, sku, warehouse_id, type, delta_available,
       delta_reserved, available_after, reserved_after, version, reservation_id, created_at)
     VALUES ($1, $2, $3, 'RESERVATION', $4, $5, $6, $7, $8, $9, now())`,
    [
      uuid7(),
      sku,
      WAREHOUSE,
      -quantity,
      quantity,
      after.available,
      after.reserved,
      after.version,
      reservationId,
    ],
  );
}

/**
 * The raw ceiling of one reservation per transaction: BEGIN; guarded UPDATE … WHERE available
 * >= q RETURNING; INSERT reservation; INSERT movement; COMMIT — straight through pg.
 */
export async function createRawPerTransactionTarget(
  context: ScenarioContext,
): Promise<ReservationTarget> {
  const raw = await openRaw(context, 'raw_tx');
  return baseTarget(context, raw, async (sku, quantity) => {
    try {
      await inTransaction(raw.pool, async (client) => {
        const updated = await client.query<{
          available: number;
          reserved: number;
          version: number;
        }>(
          `UPDATE "${raw.schema}".stock
           SET available = available - $3, reserved = reserved + $3, version = version + 1,
               updated_at = now()
           WHERE sku = $1 AND warehouse_id = $2 AND available >= $3
           RETURNING available, reserved, version`,
          [sku, WAREHOUSE, quantity],
        );
        const after = updated.rows[0];
        if (!after) throw new Refused();
        await insertReservation(client, raw.schema, sku, quantity, after);
      });
      return 'admitted';
    } catch (error) {
      if (error instanceof Refused) return 'refused';
      throw error;
    }
  });
}

interface PendingReservation {
  readonly sku: string;
  readonly quantity: number;
  readonly resolve: (outcome: ReserveOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The raw ceiling of batching: concurrent requests queue; one transaction per batch locks the
 * rows (SELECT … FOR UPDATE), admits requests in arrival order while stock lasts, writes each
 * row with one UPDATE and every reservation and movement with one multi-row INSERT each.
 * One queue per SKU lane (8 lanes, like the library's default), up to 256 requests a batch.
 */
export async function createRawBatchedTarget(
  context: ScenarioContext,
  options: { readonly maxBatchSize?: number; readonly lanes?: number } = {},
): Promise<ReservationTarget> {
  const raw = await openRaw(context, 'raw_batch');
  const maxBatchSize = options.maxBatchSize ?? 256;
  const lanes = options.lanes ?? 8;
  const queues: PendingReservation[][] = Array.from({ length: lanes }, () => []);
  const running: boolean[] = Array.from({ length: lanes }, () => false);
  const batches = { count: 0, requests: 0, largest: 0 };

  const laneOf = (sku: string) => {
    let hash = 0;
    for (let index = 0; index < sku.length; index += 1)
      hash = (Math.imul(hash, 31) + sku.charCodeAt(index)) >>> 0;
    return hash % lanes;
  };

  const runBatch = async (batch: readonly PendingReservation[]) => {
    batches.count += 1;
    batches.requests += batch.length;
    batches.largest = Math.max(batches.largest, batch.length);
    const outcomes = await inTransaction(raw.pool, async (client) => {
      const skus = [...new Set(batch.map((pending) => pending.sku))].sort();
      const locked = await client.query<{
        sku: string;
        available: number;
        reserved: number;
        version: number;
      }>(
        `SELECT sku, available, reserved, version FROM "${raw.schema}".stock
         WHERE warehouse_id = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE`,
        [WAREHOUSE, skus],
      );
      const rows = new Map(locked.rows.map((row) => [row.sku, { ...row }]));
      const reservations: (string | number)[][] = [[], [], []];
      const movements: (string | number)[][] = [[], [], [], [], [], [], [], []];
      const result: ReserveOutcome[] = batch.map((pending) => {
        const row = rows.get(pending.sku);
        if (!row || row.available < pending.quantity) return 'refused';
        row.available -= pending.quantity;
        row.reserved += pending.quantity;
        row.version += 1;
        const reservationId = uuid7();
        reservations[0]!.push(reservationId);
        reservations[1]!.push(pending.sku);
        reservations[2]!.push(pending.quantity);
        const values = [
          uuid7(),
          pending.sku,
          -pending.quantity,
          pending.quantity,
          row.available,
          row.reserved,
          row.version,
          reservationId,
        ];
        values.forEach((value, index) => {
          movements[index]!.push(value);
        });
        return 'admitted';
      });
      const changed = [...rows.values()].filter(
        (row) => row.version !== locked.rows.find((before) => before.sku === row.sku)?.version,
      );
      if (changed.length > 0) {
        await client.query(
          `UPDATE "${raw.schema}".stock AS s
           SET available = v.available, reserved = v.reserved, version = v.version,
               updated_at = now()
           FROM unnest($1::text[], $2::int[], $3::int[], $4::int[])
             AS v(sku, available, reserved, version)
           WHERE s.sku = v.sku AND s.warehouse_id = $5`,
          [
            changed.map((row) => row.sku),
            changed.map((row) => row.available),
            changed.map((row) => row.reserved),
            changed.map((row) => row.version),
            WAREHOUSE,
          ],
        );
        await client.query(
          `INSERT INTO "${raw.schema}".reservations
             (id, sku, warehouse_id, quantity, status, created_at, expires_at)
           SELECT id, sku, $4, quantity, 'ACTIVE', now(), now() + ${TTL}
           FROM unnest($1::text[], $2::text[], $3::int[]) AS v(id, sku, quantity)`,
          [...reservations, WAREHOUSE],
        );
        await client.query(
          `INSERT INTO "${raw.schema}".movements (id, sku, warehouse_id, type, delta_available,
             delta_reserved, available_after, reserved_after, version, reservation_id, created_at)
           SELECT id, sku, $9, 'RESERVATION', da, dr, aa, ra, version, reservation_id, now()
           FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[],
                       $7::int[], $8::text[])
             AS v(id, sku, da, dr, aa, ra, version, reservation_id)`,
          [...movements, WAREHOUSE],
        );
      }
      return result;
    });
    outcomes.forEach((outcome, index) => {
      batch[index]!.resolve(outcome);
    });
  };

  const drain = async (lane: number) => {
    running[lane] = true;
    const queue = queues[lane]!;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatchSize);
        try {
          await runBatch(batch);
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      running[lane] = false;
    }
  };

  return baseTarget(
    context,
    raw,
    (sku, quantity) =>
      new Promise<ReserveOutcome>((resolve, reject) => {
        const lane = laneOf(sku);
        queues[lane]!.push({ sku, quantity, resolve, reject });
        if (!running[lane]) void drain(lane);
      }),
    { counters: () => ({ ...raw.counters, batches: { ...batches } }) },
  );
}

/** Backoff of the naive design: 100 · 2ⁿ ms before retry n (n = 0, 1, 2). */
export const NAIVE_BACKOFF_MS = (retry: number) => 100 * 2 ** retry;

/** Retries of the naive design after the first attempt. */
export const NAIVE_RETRIES = 3;

/**
 * The seed document's design, as it was: read `available, version`; refuse when short; else
 * `UPDATE … WHERE version = ?` (with the reservation and movement rows in the same
 * transaction); on 0 rows retry up to 3 times after 100·2ⁿ ms, then give up (a refusal while
 * stock may remain: outcome `conflict`).
 */
export async function createNaiveTarget(context: ScenarioContext): Promise<ReservationTarget> {
  const raw = await openRaw(context, 'naive');
  return baseTarget(context, raw, async (sku, quantity) => {
    for (let attempt = 0; ; attempt += 1) {
      const read = await raw.pool.query<{ available: number; reserved: number; version: number }>(
        `SELECT available, reserved, version FROM "${raw.schema}".stock
         WHERE sku = $1 AND warehouse_id = $2`,
        [sku, WAREHOUSE],
      );
      const row = read.rows[0];
      if (!row || row.available < quantity) return 'refused';
      const won = await inTransaction(raw.pool, async (client) => {
        const updated = await client.query(
          `UPDATE "${raw.schema}".stock
           SET available = available - $3, reserved = reserved + $3, version = version + 1,
               updated_at = now()
           WHERE sku = $1 AND warehouse_id = $2 AND version = $4`,
          [sku, WAREHOUSE, quantity, row.version],
        );
        if (updated.rowCount !== 1) return false;
        await insertReservation(client, raw.schema, sku, quantity, {
          available: row.available - quantity,
          reserved: row.reserved + quantity,
          version: row.version + 1,
        });
        return true;
      });
      if (won) return 'admitted';
      raw.counters.conflicts += 1;
      if (attempt >= NAIVE_RETRIES) return 'conflict';
      raw.counters.retries += 1;
      await sleep(NAIVE_BACKOFF_MS(attempt));
    }
  });
}
