import type { Kit, KitShipping } from '@stockroom/core';
import type { KitRows } from '@stockroom/core/adapter-kit';
import type { KitContext } from './shared-reads.js';
import type { SharedRowsDialect } from './shared-rows.js';
import { APPLIED, chunks, distinct, NOT_APPLIED, outcome } from './write-outcome.js';

/**
 * Kit definitions in one store transaction: a `kits` header per kit and its `kit_components`.
 * `get(…, { lock })` takes row locks where the engine has them (SQLite needs none: its write
 * transactions hold the database's single write lock).
 */
export function kitDefinitionRows(context: KitContext, dialect: SharedRowsDialect): KitRows {
  const { db, codec } = context;
  const load = async (skus: readonly string[] | null, lock: boolean): Promise<Kit[]> => {
    const headers = [];
    if (skus === null) {
      headers.push(...(await db.selectFrom('kits').selectAll().orderBy('sku').execute()));
    } else {
      for (const part of chunks(distinct(skus))) {
        let query = db.selectFrom('kits').selectAll().where('sku', 'in', part).orderBy('sku');
        if (lock && dialect.rowLocks) query = query.forUpdate();
        headers.push(...(await query.execute()));
      }
    }
    if (headers.length === 0) return [];
    const components = new Map<string, { sku: string; quantity: number }[]>();
    for (const part of chunks(headers.map((header) => header.sku))) {
      const rows = await db
        .selectFrom('kit_components')
        .selectAll()
        .where('kit_sku', 'in', part)
        .orderBy('kit_sku')
        .orderBy('component_sku')
        .execute();
      for (const row of rows) {
        const list = components.get(row.kit_sku) ?? [];
        list.push({ sku: row.component_sku, quantity: codec.int(row.quantity) });
        components.set(row.kit_sku, list);
      }
    }
    return headers.map((header) => ({
      sku: header.sku,
      components: components.get(header.sku) ?? [],
      shipping: header.shipping as KitShipping,
      version: codec.int(header.version),
      createdAt: codec.time(header.created_at),
      updatedAt: codec.time(header.updated_at),
    }));
  };
  return {
    get: (skus, options = {}) => load(skus, options.lock ?? false),
    list: () => load(null, false),
    async put(next, expectedVersion) {
      const fields = {
        shipping: next.shipping,
        version: next.version,
        updated_at: codec.toTime(next.updatedAt),
      };
      if (expectedVersion === 0) {
        const inserted = await db
          .insertInto('kits')
          .values({ sku: next.sku, ...fields, created_at: codec.toTime(next.createdAt) })
          .onConflict((conflict) => conflict.column('sku').doNothing())
          .executeTakeFirst();
        if (!outcome(inserted.numInsertedOrUpdatedRows).applied) return NOT_APPLIED;
      } else {
        const updated = await db
          .updateTable('kits')
          .set(fields)
          .where('sku', '=', next.sku)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        if (!outcome(updated.numUpdatedRows).applied) return NOT_APPLIED;
        await db.deleteFrom('kit_components').where('kit_sku', '=', next.sku).execute();
      }
      await db
        .insertInto('kit_components')
        .values(
          next.components.map((component) => ({
            kit_sku: next.sku,
            component_sku: component.sku,
            quantity: component.quantity,
          })),
        )
        .execute();
      return APPLIED;
    },
    async remove(sku, expectedVersion) {
      const removed = await db
        .deleteFrom('kits')
        .where('sku', '=', sku)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (!outcome(removed.numDeletedRows).applied) return NOT_APPLIED;
      await db.deleteFrom('kit_components').where('kit_sku', '=', sku).execute();
      return APPLIED;
    },
  };
}
