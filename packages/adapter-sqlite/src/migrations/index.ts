import type { Migration } from 'kysely';
import { initialSchema } from './0001-initial-schema.js';
import { ledgerHistory } from './0002-ledger-history.js';
import { tableNames } from './0003-table-names.js';
import { sellability } from './0004-sellability.js';
import { salesChannels } from './0005-sales-channels.js';
import { damagedUnitMovements } from './0006-damaged-unit-movements.js';
import { backorders } from './0007-backorders.js';
import { incomingReceipts } from './0008-incoming-receipts.js';
import { holdParts } from './0009-hold-parts.js';
import { reservationListing } from './0010-reservation-listing.js';
import { kits } from './0011-kits.js';
import { reservationIndexes } from './0012-reservation-indexes.js';

/**
 * Every migration of the store's schema, by name; kysely's Migrator runs them in name order.
 * Append new ones with a higher number; never edit one that shipped.
 */
export const SQLITE_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial_schema': initialSchema,
  '0002_ledger_history': ledgerHistory,
  '0003_table_names': tableNames,
  '0004_sellability': sellability,
  '0005_sales_channels': salesChannels,
  '0006_damaged_unit_movements': damagedUnitMovements,
  '0007_backorders': backorders,
  '0008_incoming_receipts': incomingReceipts,
  '0009_hold_parts': holdParts,
  '0010_reservation_listing': reservationListing,
  '0011_kits': kits,
  '0012_reservation_indexes': reservationIndexes,
});

/** The table where applied migrations are recorded (namespaced, so a host's own kysely migrations in the same file do not collide). */
export const MIGRATION_TABLE = 'stockroom_migrations';
/** kysely's migration lock table for {@link MIGRATION_TABLE}. */
export const MIGRATION_LOCK_TABLE = 'stockroom_migrations_lock';
