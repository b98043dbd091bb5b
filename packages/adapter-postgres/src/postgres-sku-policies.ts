import type { BackorderPolicy, SkuPolicy, Warehouse } from '@stockroom/core';
import type {
  SkuPolicyRows,
  StockRows,
  WarehouseRows,
  WriteOutcome,
} from '@stockroom/core/adapter-kit';
import { type Selectable, sql } from 'kysely';
import { arrayLiteral } from './array-literals.js';
import { postgresKit } from './mappers.js';
import type { SchemaScope } from './queries.js';
import type { Database, StockTable } from './tables.js';

type WarehouseTable = Database['warehouses'];

const { stockFromRow, warehouseFromRow } = postgresKit.mappers;

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

/** The warehouses a locked stock read brought, until the transaction writes one. */
interface WarehouseCache {
  list: Warehouse[] | null;
}

/**
 * The stock rows, the policies and the warehouses of one transaction. `stock.read` fetches the
 * SKUs' policies in the same statement as their rows (a scalar subquery) and, when it locks
 * (a write batch), the warehouse list too, so a reservation batch decides on rows, cart limits
 * and warehouses in one round trip; `policies.get` and `warehouses.list` then answer from what
 * that read brought, and read only what it did not cover.
 */
export function postgresSellableRows(
  scope: SchemaScope,
  stock: StockRows,
  warehouses: WarehouseRows,
): {
  readonly stock: StockRows;
  readonly policies: SkuPolicyRows;
  readonly warehouses: WarehouseRows;
} {
  const cache: PolicyCache = new Map();
  const known: WarehouseCache = { list: null };
  return {
    stock: {
      ...stock,
      read: (skus, options) => readWithPolicies(scope, cache, known, skus, options),
    },
    policies: postgresSkuPolicyRows(scope, cache),
    warehouses: {
      ...warehouses,
      list: async () => known.list ?? warehouses.list(),
      insert: async (warehouse) => {
        known.list = null;
        return warehouses.insert(warehouse);
      },
      update: async (next, expectedVersion) => {
        known.list = null;
        return warehouses.update(next, expectedVersion);
      },
    },
  };
}

async function readWithPolicies(
  scope: SchemaScope,
  cache: PolicyCache,
  known: WarehouseCache,
  skus: readonly string[],
  options: { readonly lock?: boolean } = {},
) {
  if (skus.length === 0) return [];
  const wanted = [...new Set(skus)];
  // One array literal, bound twice: the driver would encode the SKUs (a bulk chunk reads
  // thousands) element by element for each of the two parameters.
  const skuArray = arrayLiteral(wanted, 'text');
  // The rows are locked in (sku, warehouse_id) order inside the CTE; the policies and the
  // warehouses ride on the first row only (a batch of cold SKUs reads hundreds of rows).
  const result = await sql<
    Selectable<StockTable> & {
      readonly policies_json: PolicyRow[] | null;
      readonly warehouses_json: Selectable<WarehouseTable>[] | null;
    }
  >`
    WITH s AS MATERIALIZED (
      SELECT * FROM ${scope.table('stock')}
      WHERE sku = ANY(${skuArray}::text[])
      ORDER BY sku, warehouse_id
      ${options.lock ? sql`FOR UPDATE` : sql``}
    )
    SELECT s.*,
      CASE WHEN row_number() OVER (ORDER BY s.sku, s.warehouse_id) = 1 THEN (
        SELECT coalesce(json_agg(p), '[]'::json) FROM ${scope.table('sku_policies')} AS p
        WHERE p.sku = ANY(${skuArray}::text[])
      ) END AS policies_json,
      ${
        options.lock
          ? sql`CASE WHEN row_number() OVER (ORDER BY s.sku, s.warehouse_id) = 1 THEN (
        SELECT coalesce(json_agg(w ORDER BY w.id), '[]'::json) FROM ${scope.table('warehouses')} AS w
      ) END`
          : sql`NULL::json`
      } AS warehouses_json
    FROM s
    ORDER BY s.sku, s.warehouse_id
  `.execute(scope.db);
  const first = result.rows[0];
  // The first row carries the policies of every wanted SKU; with no row, nothing was learned.
  if (first) {
    for (const sku of wanted) cache.set(sku, null);
    for (const policy of first.policies_json ?? []) cache.set(policy.sku, skuPolicyFromRow(policy));
    if (first.warehouses_json) known.list = first.warehouses_json.map(warehouseFromRow);
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
          WHERE sku = ANY(${arrayLiteral(missing, 'text')}::text[])
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
