// One CSV record to one import row (or a row error), and the report of bad rows.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { BulkUpdateItem, InventoryStock, SettingsRequest } from '@stockroom/core';
import { stringify } from 'csv-stringify';

/** The settings columns an import may carry. */
const SETTINGS = ['lowStockThreshold', 'reorderPoint', 'maxStockLevel', 'safetyStock'] as const;

/** One bad row, as the error report lists it. */
export interface RowError {
  /** The row's line in the file (1 is the header). */
  readonly line: number;
  readonly sku: string;
  readonly warehouseId: string;
  readonly code: string;
  readonly detail: string;
}

export interface RowSettings {
  lowStockThreshold?: number;
  reorderPoint?: number;
  maxStockLevel?: number | null;
  /** Units that count in `available` but are never sold. */
  safetyStock?: number;
}

export interface Row {
  readonly line: number;
  readonly item: BulkUpdateItem;
  readonly settings: RowSettings;
}

export function settingsRequest(row: Row): SettingsRequest {
  return { sku: row.item.sku, warehouseId: row.item.warehouseId, ...row.settings };
}

export const WHOLE = /^[+-]?\d+$/;

/** Reads one CSV record into a row, or says what is wrong with it. */
export function readRecord(
  record: Record<string, string | undefined>,
  line: number,
  mode: 'set' | 'delta',
): Row | RowError {
  const sku = (record.sku ?? '').trim();
  const warehouseId = (record.warehouseId ?? '').trim();
  const fail = (detail: string): RowError => ({
    line,
    sku,
    warehouseId,
    code: 'VALIDATION_FAILED',
    detail,
  });
  if (!sku) return fail('sku is empty');
  if (!warehouseId) return fail('warehouseId is empty');
  const raw = (record.available ?? record.quantity ?? '').trim();
  if (!WHOLE.test(raw)) {
    return fail(
      `available must be a whole number${mode === 'delta' ? ' (signed)' : ''}, not "${raw}"`,
    );
  }
  // The compare of the core's bulk update: the available the row must hold (empty: no compare).
  const expected = (record.expectedQuantity ?? '').trim();
  if (expected !== '' && !/^\d+$/.test(expected)) {
    return fail(`expectedQuantity must be a whole number of at least 0, not "${expected}"`);
  }
  const settings: RowSettings = {};
  for (const name of SETTINGS) {
    const value = record[name];
    if (value === undefined) continue;
    const text = value.trim();
    if (text === '') {
      // An empty maxStockLevel is "no limit" (as export writes it); other empty settings are kept.
      if (name === 'maxStockLevel') settings.maxStockLevel = null;
      continue;
    }
    if (!/^\d+$/.test(text))
      return fail(`${name} must be a whole number of at least 0, not "${text}"`);
    settings[name] = Number(text);
  }
  const item: BulkUpdateItem = { sku, warehouseId, quantity: Number(raw) };
  return {
    line,
    item: expected === '' ? item : { ...item, expectedQuantity: Number(expected) },
    settings,
  };
}

export function settingsDiffer(row: Row, current: InventoryStock | undefined): boolean {
  if (!current) return Object.keys(row.settings).length > 0;
  return SETTINGS.some(
    (name) => row.settings[name] !== undefined && row.settings[name] !== current[name],
  );
}

/** A lazily opened CSV report of bad rows. */
export class ErrorReport {
  private stream: ReturnType<typeof stringify> | undefined;
  private file: WriteStream | undefined;
  count = 0;

  constructor(readonly path: string) {}

  async add(error: RowError): Promise<void> {
    if (!this.stream) {
      this.file = createWriteStream(this.path);
      this.stream = stringify({
        header: true,
        columns: ['line', 'sku', 'warehouseId', 'code', 'detail'],
      });
      this.stream.pipe(this.file);
    }
    this.count += 1;
    if (!this.stream.write(error)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.stream || !this.file) return;
    this.stream.end();
    await finished(this.file);
  }
}

/** A CSV file that cannot be read as stock levels at all (a missing column, no header). */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}
