import type { BackorderPolicy, SkuPolicy } from '@stockroom/core';
import type { SkuPolicyRows, StockRows, WriteOutcome } from '@stockroom/core/adapter-kit';
import { type Selectable, sql } from 'kysely';
import { postgresKit } from './mappers.js';
import type { SchemaScope } from './queries.js';
import type { StockTable } from './tables.js';

const { stockFromRow } = postgresKit.mappers;

interface PolicyRow {
  readonly sku: string;
  readonly min_per_cart: string | number | null;
  readonly max_per_cart: string | number | null;
  /** 1 when preorders are allowed (migration 0008). */
  readonly allow_preorder: string | number;
  readonly backorder_policy: string;
  readonly backorder_limit: string | number | null;
  readonly version: string | number;
  /** A Date from a row; an ISO string from `json_agg`. */
  readonly updated_at: Date | string;
}

const nullableNumber = (value: string | number | null) => (value === null ? null : Number(value));

/** A `sku_policies` row → domain. */
export function skuPolicyFromRow(row: PolicyRow): SkuPolicy {
  return {
    sku: row.sku,
    minPerCart: nullableNumber(row.min_per_cart),
    maxPerCart: nullableNumber(row.max_per_cart),
    allowPreorder: Number(row.allow_preorder) === 1,
    backorderPolicy: row.backorder_policy as BackorderPolicy,
    backorderLimit: nullableNumber(row.backorder_limit),
    version: Number(row.version),
    updatedAt: new Date(row.updated_at),
  };
}

const outcome = (affected: bigint | undefined): WriteOutcome => ({ applied: affected === 1n });

/**
 * What one transaction learned of policies: by SKU, the stored policy or null (none). Filled by
 * the stock read that fetched them with the rows, kept current by the transaction's own writes.
 */
type PolicyCache = Map<string, SkuPolicy | null>;

/**
 * The stock rows and the policies of one transaction. `stock.read` fetches the SKUs' policies
 * in the same statement as their rows (a scalar subquery), so a reservation batch decides on
 * rows and cart limits in one round trip; `policies.get` then answers from what that read
 * brought, and reads only SKUs it did not cover.
 */
export function postgresSellableRows(
  scope: SchemaScope,
  stock: StockRows,
): { readonly stock: StockRows; readonly policies: SkuPolicyRows } {
  const cache: PolicyCache = new Map();
  return {
    stock: { ...stock, read: (skus, options) => readWithPolicies(scope, cache, skus, options) },
    policies: postgresSkuPolicyRows(scope, cache),
  };
}

async function readWithPolicies(
  scope: SchemaScope,
  cache: PolicyCache,
  skus: readonly string[],
  options: { readonly lock?: boolean } = {},
) {
  if (skus.length === 0) return [];
  const wanted = [...new Set(skus)];
  const result = await sql<Selectable<StockTable> & { readonly policies_json: PolicyRow[] }>`
    SELECT s.*, (
      SELECT coalesce(json_agg(p), '[]'::json) FROM ${scope.table('sku_policies')} AS p
      WHERE p.sku = ANY(${wanted}::text[])
    ) AS policies_json
    FROM ${scope.table('stock')} AS s
    WHERE s.sku = ANY(${wanted}::text[])
    ORDER BY s.sku, s.warehouse_id
    ${options.lock ? sql`FOR UPDATE OF s` : sql``}
  `.execute(scope.db);
  const first = result.rows[0];
  // Every row carries the policies of every wanted SKU; with no row, nothing was learned.
  if (first) {
    for (const sku of wanted) cache.set(sku, null);
    for (const policy of first.policies_json) cache.set(policy.sku, skuPolicyFromRow(policy));
  }
  return result.rows.map(stockFromRow);
}

/** Per-SKU policies inside a transaction. `put` is a compare-and-set on `version`. */
export function postgresSkuPolicyRows(
  scope: SchemaScope,
  cache: PolicyCache = new Map(),
): SkuPolicyRows {
  const { db } = scope;
  const policies = scope.table('sku_policies');
  return {
    async get(skus) {
      const wanted = [...new Set(skus)];
      const missing = wanted.filter((sku) => !cache.has(sku));
      if (missing.length > 0) {
        const result = await sql<PolicyRow>`
          SELECT sku, min_per_cart, max_per_cart, allow_preorder, backorder_policy, backorder_limit,
            version, updated_at
          FROM ${policies}
          WHERE sku = ANY(${missing}::text[])
        `.execute(db);
        for (const sku of missing) cache.set(sku, null);
        for (const row of result.rows) cache.set(row.sku, skuPolicyFromRow(row));
      }
      return wanted
        .map((sku) => cache.get(sku))
        .filter((policy): policy is SkuPolicy => policy !== null && policy !== undefined);
    },

    async put(next, expectedVersion) {
      const allowPreorder = next.allowPreorder ? 1 : 0;
      const values = sql`${next.sku}, ${next.minPerCart}::bigint, ${next.maxPerCart}::bigint, ${allowPreorder}::smallint, ${next.backorderPolicy}, ${next.backorderLimit}::bigint, ${next.version}::bigint, ${next.updatedAt}::timestamptz`;
      const result =
        expectedVersion === 0
          ? await sql`
              INSERT INTO ${policies} (sku, min_per_cart, max_per_cart, allow_preorder,
                backorder_policy, backorder_limit, version, updated_at)
              VALUES (${values}) ON CONFLICT (sku) DO NOTHING
            `.execute(db)
          : await sql`
              UPDATE ${policies} SET min_per_cart = ${next.minPerCart}::bigint,
                max_per_cart = ${next.maxPerCart}::bigint,
                allow_preorder = ${allowPreorder}::smallint,
                backorder_policy = ${next.backorderPolicy},
                backorder_limit = ${next.backorderLimit}::bigint, version = ${next.version}::bigint,
                updated_at = ${next.updatedAt}::timestamptz
              WHERE sku = ${next.sku} AND version = ${expectedVersion}::bigint
            `.execute(db);
      const written = outcome(result.numAffectedRows);
      if (written.applied) cache.set(next.sku, next);
      else cache.delete(next.sku);
      return written;
    },

    async remove(sku) {
      const result = await sql`DELETE FROM ${policies} WHERE sku = ${sku}`.execute(db);
      cache.set(sku, null);
      return (result.numAffectedRows ?? 0n) > 0n;
    },
  };
}
