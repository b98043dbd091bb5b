import { type Logger, type Movement, type Page, silentLogger } from '@stockroom/core';
import { describe, expect, it } from 'vitest';
import {
  createPostgresStockStore,
  migrateToLatest,
  type PostgresStockStore,
} from '../src/index.js';
import { adminQuery, DATABASE_URL, dropSchema, skipReason, uniqueSchema } from './support.js';

const OLD_INDEXES = {
  movements_by_sku: 'sku, created_at DESC, id DESC',
  movements_by_warehouse: 'warehouse_id, created_at DESC, id DESC',
  movements_by_time: 'created_at DESC, id DESC',
};
const NEW_INDEXES = ['movements_sku_time', 'movements_warehouse_time', 'movements_time'];

/** Puts the schema back as 0012 left it: the descending indexes, 0013 not applied. */
async function downgrade(schema: string): Promise<void> {
  for (const name of NEW_INDEXES) await adminQuery(`DROP INDEX "${schema}".${name}`);
  for (const [name, columns] of Object.entries(OLD_INDEXES)) {
    await adminQuery(`CREATE INDEX ${name} ON "${schema}".movements (${columns})`);
  }
  await adminQuery(
    `DELETE FROM "${schema}".stockroom_migration WHERE name = '0013_ledger_index_order'`,
  );
}

/**
 * 5 SKUs × 3 warehouses × 20 versions; every time is shared by two or three movements, so the
 * id decides the order within a time.
 */
async function fillLedger(schema: string): Promise<void> {
  await adminQuery(
    `INSERT INTO "${schema}".movements (id, sku, warehouse_id, type, delta_available,
       delta_reserved, delta_damaged, delta_in_transit, after_available, after_reserved,
       after_damaged, after_in_transit, version, created_at)
     SELECT 'm' || lpad(((v * 7919 + s * 31 + w) % 1000)::text, 4, '0') || s || w,
       'SKU-' || s, 'wh-' || w, 'RESTOCK', 1, 0, 0, 0, v, 0, 0, 0, v,
       timestamptz '2026-01-01 00:00:00+00' + ((v * 15 + s * 3 + w) / 2) * interval '1 second'
     FROM generate_series(1, 5) AS s, generate_series(1, 3) AS w, generate_series(1, 20) AS v`,
  );
}

/** A logger that keeps the messages of its `info` calls. */
function recordingLogger(): Logger & { readonly messages: string[] } {
  const messages: string[] = [];
  return { ...silentLogger, messages, info: (_bindings, message) => messages.push(message ?? '') };
}

const PREPARED = 'stockroom migration: preparing outside the migration transaction';

/** Every page of a listing, 7 movements a page. */
async function allPages(
  read: (cursor: string | undefined) => Promise<Page<Movement>>,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    ids.push(...page.items.map((movement) => movement.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

/** What the ledger's time-ordered reads answer, and the ledger's content. */
async function answers(store: PostgresStockStore, schema: string) {
  const listing = (filter: { sku?: string; warehouseId?: string }) =>
    allPages((cursor) =>
      store.reads.movements(filter, { limit: 7, ...(cursor ? { cursor } : {}) }),
    );
  const content = await adminQuery(
    `SELECT md5(string_agg(m::text, ',' ORDER BY id)) AS digest, count(*)::int AS n
     FROM "${schema}".movements AS m`,
  );
  return {
    all: await listing({}),
    sku: await listing({ sku: 'SKU-3' }),
    warehouse: await listing({ warehouseId: 'wh-2' }),
    both: await listing({ sku: 'SKU-3', warehouseId: 'wh-2' }),
    content: content.rows[0],
  };
}

/** The movements table's indexes (partition indexes excluded): name → definition. */
async function ledgerIndexes(schema: string): Promise<Record<string, string>> {
  const result = await adminQuery(
    `SELECT indexname, indexdef FROM pg_indexes
     WHERE schemaname = $1 AND tablename = 'movements' ORDER BY indexname`,
    [schema],
  );
  return Object.fromEntries(result.rows.map((row) => [row.indexname, row.indexdef]));
}

/** Indexes of the schema that are not valid. */
async function invalidIndexes(schema: string): Promise<string[]> {
  const result = await adminQuery(
    `SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
     JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND NOT i.indisvalid`,
    [schema],
  );
  return result.rows.map((row) => row.relname);
}

/** Per partition, the ascending indexes attached to the parent's. */
async function attachedPartitionIndexes(schema: string): Promise<string[]> {
  const result = await adminQuery(
    `SELECT child.relname FROM pg_inherits AS i
     JOIN pg_class AS child ON child.oid = i.inhrelid
     JOIN pg_class AS parent ON parent.oid = i.inhparent
     JOIN pg_namespace AS n ON n.oid = parent.relnamespace
     WHERE n.nspname = $1 AND parent.relname = ANY($2) ORDER BY child.relname`,
    [schema, NEW_INDEXES],
  );
  return result.rows.map((row) => row.relname);
}

describe.skipIf(skipReason)('migration 0013: ascending ledger indexes (PostgreSQL)', () => {
  for (const partitions of [0, 4]) {
    it(`a new schema gets the ascending indexes only (partitions: ${partitions})`, async () => {
      const schema = uniqueSchema(`ledger_new_${partitions}`);
      try {
        const logger = recordingLogger();
        await migrateToLatest({ connectionString: DATABASE_URL, schema, partitions, logger });
        // A new schema has no ledger to build concurrently: no step outside the transaction.
        expect(logger.messages).not.toContain(PREPARED);
        const indexes = await ledgerIndexes(schema);
        for (const name of Object.keys(OLD_INDEXES)) expect(indexes[name]).toBeUndefined();
        expect(indexes.movements_sku_time).toMatch(/\(sku, created_at, id\)$/);
        expect(indexes.movements_warehouse_time).toMatch(/\(warehouse_id, created_at, id\)$/);
        expect(indexes.movements_time).toMatch(/\(created_at, id\)$/);
        expect(await invalidIndexes(schema)).toEqual([]);
        if (partitions > 0) expect(await attachedPartitionIndexes(schema)).toHaveLength(3 * 4);
      } finally {
        await dropSchema(schema);
      }
    });

    it(`upgrades a populated ledger; its reads answer the same (partitions: ${partitions})`, async () => {
      const schema = uniqueSchema(`ledger_up_${partitions}`);
      const store = createPostgresStockStore({
        connectionString: DATABASE_URL,
        poolSize: 2,
        schema,
        partitions,
        migrate: false,
      });
      try {
        await migrateToLatest({ connectionString: DATABASE_URL, schema, partitions });
        await downgrade(schema);
        await fillLedger(schema);
        const before = await answers(store, schema);
        expect(before.all).toHaveLength(300);
        expect(before.both).toHaveLength(20);

        // Two processes at once, without the layout option (the table's catalog entry says
        // whether it is partitioned): one applies it, the other finds it done.
        const loggers = [recordingLogger(), recordingLogger()];
        const runs = await Promise.all(
          loggers.map((logger) =>
            migrateToLatest({ connectionString: DATABASE_URL, schema, logger }),
          ),
        );
        expect(runs.flat()).toEqual(['0013_ledger_index_order']);
        // The indexes were built before the migration transaction (by whichever came first).
        expect(loggers.some((logger) => logger.messages.includes(PREPARED))).toBe(true);
        const indexes = await ledgerIndexes(schema);
        for (const name of Object.keys(OLD_INDEXES)) expect(indexes[name]).toBeUndefined();
        for (const name of NEW_INDEXES) expect(indexes[name]).not.toMatch(/DESC/);
        expect(await invalidIndexes(schema)).toEqual([]);
        if (partitions > 0) {
          expect(await attachedPartitionIndexes(schema)).toEqual(
            [0, 1, 2, 3].flatMap((p) =>
              ['sku_time', 'time', 'warehouse_time'].map((suffix) => `movements_p${p}_${suffix}`),
            ),
          );
        }
        expect(await answers(store, schema)).toEqual(before);
        expect(await migrateToLatest({ connectionString: DATABASE_URL, schema })).toEqual([]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  }

  it('completes what an interrupted concurrent build left: an invalid index, an unattached partition index', async () => {
    const plain = uniqueSchema('ledger_left_0');
    const split = uniqueSchema('ledger_left_4');
    try {
      await migrateToLatest({ connectionString: DATABASE_URL, schema: plain });
      await migrateToLatest({ connectionString: DATABASE_URL, schema: split, partitions: 4 });
      for (const schema of [plain, split]) {
        await downgrade(schema);
        await fillLedger(schema);
      }
      // A concurrent build that failed leaves an invalid index under the new name.
      await expect(
        adminQuery(
          `CREATE UNIQUE INDEX CONCURRENTLY movements_time ON "${plain}".movements (type)`,
        ),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await invalidIndexes(plain)).toEqual(['movements_time']);
      // A partitioned build stopped half-way: the parent's index, one partition's index
      // attached, one built but not attached.
      await adminQuery(`CREATE INDEX movements_time ON ONLY "${split}".movements (created_at, id)`);
      await adminQuery(
        `CREATE INDEX movements_p0_time ON "${split}".movements_p0 (created_at, id)`,
      );
      await adminQuery(
        `ALTER INDEX "${split}".movements_time ATTACH PARTITION "${split}".movements_p0_time`,
      );
      await adminQuery(
        `CREATE INDEX movements_p1_time ON "${split}".movements_p1 (created_at, id)`,
      );

      for (const schema of [plain, split]) {
        expect(await migrateToLatest({ connectionString: DATABASE_URL, schema })).toEqual([
          '0013_ledger_index_order',
        ]);
        expect(await invalidIndexes(schema)).toEqual([]);
        expect((await ledgerIndexes(schema)).movements_time).toMatch(/\(created_at, id\)$/);
      }
      expect(await attachedPartitionIndexes(split)).toHaveLength(12);
    } finally {
      await dropSchema(plain);
      await dropSchema(split);
    }
  });
});
