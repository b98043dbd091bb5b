import type { SkuPolicy, SkuPolicyRows, WriteOutcome } from '@stockroom/core';
import { sql } from 'kysely';
import type { SchemaScope } from './queries.js';

interface PolicyRow {
  readonly sku: string;
  readonly min_per_cart: string | number | null;
  readonly max_per_cart: string | number | null;
  readonly version: string | number;
  readonly updated_at: Date;
}

const nullableNumber = (value: string | number | null) => (value === null ? null : Number(value));

/** A `sku_policies` row → domain. */
export function skuPolicyFromRow(row: PolicyRow): SkuPolicy {
  return {
    sku: row.sku,
    minPerCart: nullableNumber(row.min_per_cart),
    maxPerCart: nullableNumber(row.max_per_cart),
    version: Number(row.version),
    updatedAt: row.updated_at,
  };
}

const outcome = (affected: bigint | undefined): WriteOutcome => ({ applied: affected === 1n });

/** Per-SKU policies inside a transaction. `put` is a compare-and-set on `version`. */
export function postgresSkuPolicyRows(scope: SchemaScope): SkuPolicyRows {
  const { db } = scope;
  const policies = scope.table('sku_policies');
  return {
    async get(skus) {
      if (skus.length === 0) return [];
      const result = await sql<PolicyRow>`
        SELECT sku, min_per_cart, max_per_cart, version, updated_at FROM ${policies}
        WHERE sku = ANY(${[...new Set(skus)]}::text[])
      `.execute(db);
      return result.rows.map(skuPolicyFromRow);
    },

    async put(next, expectedVersion) {
      const values = sql`${next.sku}, ${next.minPerCart}::bigint, ${next.maxPerCart}::bigint, ${next.version}::bigint, ${next.updatedAt}::timestamptz`;
      const result =
        expectedVersion === 0
          ? await sql`
              INSERT INTO ${policies} (sku, min_per_cart, max_per_cart, version, updated_at)
              VALUES (${values}) ON CONFLICT (sku) DO NOTHING
            `.execute(db)
          : await sql`
              UPDATE ${policies} SET min_per_cart = ${next.minPerCart}::bigint,
                max_per_cart = ${next.maxPerCart}::bigint, version = ${next.version}::bigint,
                updated_at = ${next.updatedAt}::timestamptz
              WHERE sku = ${next.sku} AND version = ${expectedVersion}::bigint
            `.execute(db);
      return outcome(result.numAffectedRows);
    },

    async remove(sku) {
      const result = await sql`DELETE FROM ${policies} WHERE sku = ${sku}`.execute(db);
      return (result.numAffectedRows ?? 0n) > 0n;
    },
  };
}
