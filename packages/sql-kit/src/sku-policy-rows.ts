import type { BackorderPolicy, SkuPolicy } from '@stockroom/core';
import type { SkuPolicyRows } from '@stockroom/core/adapter-kit';
import type { Selectable } from 'kysely';
import { intOrNull } from './codec.js';
import type { KitContext } from './shared-reads.js';
import type { SkuPolicyTable } from './tables.js';
import { chunks, distinct, outcome } from './write-outcome.js';

/** Per-SKU selling policies inside a store transaction; `put` is a compare-and-set on `version`. */
export function skuPolicyRows(context: KitContext): SkuPolicyRows {
  const { db, codec } = context;
  const fromRow = (row: Selectable<SkuPolicyTable>): SkuPolicy => ({
    sku: row.sku,
    minPerCart: intOrNull(codec, row.min_per_cart),
    maxPerCart: intOrNull(codec, row.max_per_cart),
    allowPreorder: codec.int(row.allow_preorder) === 1,
    backorderPolicy: row.backorder_policy as BackorderPolicy,
    backorderLimit: intOrNull(codec, row.backorder_limit),
    version: codec.int(row.version),
    updatedAt: codec.time(row.updated_at),
  });
  return {
    async get(skus) {
      const policies: SkuPolicy[] = [];
      for (const part of chunks(distinct(skus))) {
        const rows = await db
          .selectFrom('sku_policies')
          .selectAll()
          .where('sku', 'in', part)
          .execute();
        for (const row of rows) policies.push(fromRow(row));
      }
      return policies;
    },

    async put(next, expectedVersion) {
      const fields = {
        min_per_cart: next.minPerCart,
        max_per_cart: next.maxPerCart,
        allow_preorder: next.allowPreorder ? 1 : 0,
        backorder_policy: next.backorderPolicy,
        backorder_limit: next.backorderLimit,
        version: next.version,
        updated_at: codec.toTime(next.updatedAt),
      };
      if (expectedVersion === 0) {
        const result = await db
          .insertInto('sku_policies')
          .values({ sku: next.sku, ...fields })
          .onConflict((conflict) => conflict.column('sku').doNothing())
          .executeTakeFirst();
        return outcome(result.numInsertedOrUpdatedRows);
      }
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
