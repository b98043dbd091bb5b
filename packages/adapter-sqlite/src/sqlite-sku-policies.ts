import type { SkuPolicy, SkuPolicyRows } from '@stockroom/core';
import type { Kysely } from 'kysely';
import { toMillis } from './mappers.js';
import { chunks, distinct, outcome } from './sql-support.js';
import type { SkuPolicyTable, SqliteTables } from './tables.js';

/** A `sku_policies` row → domain. */
export function skuPolicyFromRow(row: SkuPolicyTable): SkuPolicy {
  return {
    sku: row.sku,
    minPerCart: row.min_per_cart,
    maxPerCart: row.max_per_cart,
    version: row.version,
    updatedAt: new Date(row.updated_at),
  };
}

/** Per-SKU policies inside a transaction (the write lock is held: no race between read and write). */
export function sqliteSkuPolicyRows(db: Kysely<SqliteTables>): SkuPolicyRows {
  return {
    async get(skus) {
      const policies: SkuPolicy[] = [];
      for (const part of chunks(distinct(skus))) {
        const rows = await db
          .selectFrom('sku_policies')
          .selectAll()
          .where('sku', 'in', part)
          .execute();
        for (const row of rows) policies.push(skuPolicyFromRow(row));
      }
      return policies;
    },

    async put(next, expectedVersion) {
      const row: SkuPolicyTable = {
        sku: next.sku,
        min_per_cart: next.minPerCart,
        max_per_cart: next.maxPerCart,
        version: next.version,
        updated_at: toMillis(next.updatedAt),
      };
      if (expectedVersion === 0) {
        const result = await db
          .insertInto('sku_policies')
          .values(row)
          .onConflict((conflict) => conflict.column('sku').doNothing())
          .executeTakeFirst();
        return outcome(result.numInsertedOrUpdatedRows);
      }
      const { sku: _sku, ...fields } = row;
      const result = await db
        .updateTable('sku_policies')
        .set(fields)
        .where('sku', '=', next.sku)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },

    async remove(sku) {
      const result = await db.deleteFrom('sku_policies').where('sku', '=', sku).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
