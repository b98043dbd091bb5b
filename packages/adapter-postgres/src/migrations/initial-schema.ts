import { type Kysely, type RawBuilder, sql } from 'kysely';

/** What the DDL depends on: the schema and the layout of the two big tables. */
export interface SchemaLayout {
  readonly schema: string;
  /** 0: plain tables; N > 0: `stock` and `movements` hash-partitioned by warehouse_id into N. */
  readonly partitions: number;
}

// Portability notes (see the README): only natural keys and application-made time-ordered ids,
// no sequences, no advisory locks, no column collations (CockroachDB cannot create them), and
// every quantity guarded by a CHECK so no code path can store a negative number.

const QUANTITY = (column: string) => sql.raw(`CHECK (${column} >= 0)`);

function statements(layout: SchemaLayout): RawBuilder<unknown>[] {
  const table = (name: string) => sql.id(layout.schema, name);
  const partitioned = layout.partitions > 0;
  const byWarehouse = partitioned ? sql.raw(' PARTITION BY HASH (warehouse_id)') : sql.raw('');
  const partitionsOf = (name: string) =>
    Array.from(
      { length: layout.partitions },
      (_, index) =>
        sql`CREATE TABLE ${table(`${name}_p${index}`)} PARTITION OF ${table(name)}
          FOR VALUES WITH (MODULUS ${sql.raw(String(layout.partitions))}, REMAINDER ${sql.raw(String(index))})`,
    );
  const index = (name: string) => sql.id(name);

  return [
    sql`CREATE TABLE ${table('warehouses')} (
      id text PRIMARY KEY,
      code text NOT NULL,
      name text NOT NULL,
      address text,
      city text,
      country text,
      region text,
      latitude double precision CHECK (latitude BETWEEN -90 AND 90),
      longitude double precision CHECK (longitude BETWEEN -180 AND 180),
      capacity bigint CHECK (capacity >= 0),
      status text NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE', 'MAINTENANCE')),
      priority integer NOT NULL,
      version bigint NOT NULL CHECK (version >= 1),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,

    sql`CREATE TABLE ${table('stock')} (
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      available bigint NOT NULL ${QUANTITY('available')},
      reserved bigint NOT NULL ${QUANTITY('reserved')},
      damaged bigint NOT NULL ${QUANTITY('damaged')},
      in_transit bigint NOT NULL ${QUANTITY('in_transit')},
      total bigint NOT NULL ${QUANTITY('total')},
      low_stock_threshold bigint NOT NULL ${QUANTITY('low_stock_threshold')},
      reorder_point bigint NOT NULL ${QUANTITY('reorder_point')},
      max_stock_level bigint CHECK (max_stock_level >= 0),
      version bigint NOT NULL ${QUANTITY('version')},
      last_restocked_at timestamptz,
      last_sold_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT stock_total_is_sum CHECK (total = available + reserved + damaged + in_transit),
      CONSTRAINT stock_key PRIMARY KEY (sku, warehouse_id)
    )${byWarehouse}`,
    ...(partitioned ? partitionsOf('stock') : []),
    sql`CREATE INDEX ${index('stock_by_warehouse')} ON ${table('stock')} (warehouse_id, sku)`,

    sql`CREATE TABLE ${table('reservations')} (
      id text PRIMARY KEY,
      status text NOT NULL CHECK (status IN ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED')),
      order_id text,
      user_id text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      committed_at timestamptz,
      released_at timestamptz,
      version bigint NOT NULL CHECK (version >= 1)
    )`,
    sql`CREATE INDEX ${index('reservations_due')} ON ${table('reservations')} (status, expires_at, id)`,
    sql`CREATE INDEX ${index('reservations_by_status')} ON ${table('reservations')} (status, created_at, id)`,
    sql`CREATE INDEX ${index('reservations_by_order')} ON ${table('reservations')} (order_id, created_at, id)
      WHERE order_id IS NOT NULL`,

    sql`CREATE TABLE ${table('reservation_lines')} (
      reservation_id text NOT NULL REFERENCES ${table('reservations')} (id),
      line_no integer NOT NULL CHECK (line_no >= 0),
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      quantity bigint NOT NULL CHECK (quantity > 0),
      refunded bigint NOT NULL CHECK (refunded >= 0 AND refunded <= quantity),
      PRIMARY KEY (reservation_id, line_no)
    )`,

    sql`CREATE TABLE ${table('movements')} (
      id text NOT NULL,
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      type text NOT NULL CHECK (type IN ('RESTOCK', 'SALE', 'RESERVATION', 'RELEASE', 'EXPIRATION',
        'REFUND', 'RETURN', 'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE')),
      delta_available bigint NOT NULL,
      delta_reserved bigint NOT NULL,
      delta_damaged bigint NOT NULL,
      delta_in_transit bigint NOT NULL,
      after_available bigint NOT NULL ${QUANTITY('after_available')},
      after_reserved bigint NOT NULL ${QUANTITY('after_reserved')},
      after_damaged bigint NOT NULL ${QUANTITY('after_damaged')},
      after_in_transit bigint NOT NULL ${QUANTITY('after_in_transit')},
      version bigint NOT NULL CHECK (version >= 1),
      reservation_id text,
      order_id text,
      transfer_id text,
      reference text,
      idempotency_key text,
      actor text,
      reason text,
      created_at timestamptz NOT NULL,
      CONSTRAINT movement_before_not_negative CHECK (
        after_available - delta_available >= 0 AND after_reserved - delta_reserved >= 0 AND
        after_damaged - delta_damaged >= 0 AND after_in_transit - delta_in_transit >= 0
      ),
      ${
        // A partitioned table's unique keys must hold the partition key.
        partitioned
          ? sql`CONSTRAINT movement_id PRIMARY KEY (id, warehouse_id),`
          : sql`CONSTRAINT movement_id PRIMARY KEY (id),`
      }
      CONSTRAINT movement_row_version UNIQUE (sku, warehouse_id, version)
    )${byWarehouse}`,
    ...(partitioned ? partitionsOf('movements') : []),
    sql`CREATE INDEX ${index('movements_by_sku')} ON ${table('movements')} (sku, created_at DESC, id DESC)`,
    sql`CREATE INDEX ${index('movements_by_warehouse')} ON ${table('movements')} (warehouse_id, created_at DESC, id DESC)`,
    sql`CREATE INDEX ${index('movements_by_time')} ON ${table('movements')} (created_at DESC, id DESC)`,

    sql`CREATE TABLE ${table('outbox')} (
      event_id text PRIMARY KEY,
      subject text NOT NULL,
      type text NOT NULL,
      event json NOT NULL,
      event_time timestamptz NOT NULL,
      enqueued_us bigint NOT NULL DEFAULT ((extract(epoch FROM clock_timestamp()) * 1000000)::bigint),
      ordinal integer NOT NULL CHECK (ordinal >= 0),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0)
    )`,
    sql`CREATE INDEX ${index('outbox_order')} ON ${table('outbox')} (enqueued_us, ordinal, event_id)`,

    sql`CREATE TABLE ${table('idempotency_keys')} (
      scope text NOT NULL,
      key text NOT NULL,
      fingerprint text NOT NULL,
      result text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    )`,
    sql`CREATE INDEX ${index('idempotency_keys_by_age')} ON ${table('idempotency_keys')} (created_at)`,

    sql`CREATE TABLE ${table('transfers')} (
      id text PRIMARY KEY,
      sku text NOT NULL,
      from_warehouse_id text NOT NULL,
      to_warehouse_id text NOT NULL,
      quantity bigint NOT NULL CHECK (quantity > 0),
      status text NOT NULL CHECK (status IN ('INITIATED', 'IN_TRANSIT', 'RECEIVED', 'CANCELLED')),
      created_at timestamptz NOT NULL,
      shipped_at timestamptz,
      received_at timestamptz,
      cancelled_at timestamptz,
      version bigint NOT NULL CHECK (version >= 1)
    )`,
    sql`CREATE INDEX ${index('transfers_by_time')} ON ${table('transfers')} (created_at DESC, id DESC)`,
    sql`CREATE INDEX ${index('transfers_from')} ON ${table('transfers')} (from_warehouse_id)`,
    sql`CREATE INDEX ${index('transfers_to')} ON ${table('transfers')} (to_warehouse_id)`,

    sql`CREATE TABLE ${table('low_stock_alerts')} (
      id text PRIMARY KEY,
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      current_quantity bigint NOT NULL ${QUANTITY('current_quantity')},
      threshold bigint NOT NULL ${QUANTITY('threshold')},
      status text NOT NULL CHECK (status IN ('TRIGGERED', 'ACKNOWLEDGED', 'RESOLVED')),
      triggered_at timestamptz NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by text,
      resolved_at timestamptz
    )`,
    // One open alert per row: inserts use ON CONFLICT against this partial index.
    sql`CREATE UNIQUE INDEX ${index('low_stock_alerts_one_open')} ON ${table('low_stock_alerts')} (sku, warehouse_id)
      WHERE status <> 'RESOLVED'`,
    sql`CREATE INDEX ${index('low_stock_alerts_by_time')} ON ${table('low_stock_alerts')} (triggered_at DESC, id DESC)`,
    sql`CREATE INDEX ${index('low_stock_alerts_by_status')} ON ${table('low_stock_alerts')} (status, triggered_at DESC, id DESC)`,
  ];
}

/** Creates every table, constraint and index of the first schema version. */
export async function createInitialSchema(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  for (const statement of statements(layout)) await statement.execute(db);
}
