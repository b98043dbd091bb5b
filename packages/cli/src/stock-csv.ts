// `stockroom import`: stock levels from a CSV file, streamed to the core's bulk update.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type InventoryStock, MAX_PAGE_LIMIT, type Stockroom, stockKeyOf } from '@stockroom/core';
import { parse } from 'csv-parse';
import type { Progress } from './progress.js';
import {
  CsvFormatError,
  ErrorReport,
  type Row,
  readRecord,
  settingsDiffer,
  settingsRequest,
} from './stock-csv-rows.js';

export { type ExportOptions, exportStockCsv, STOCK_CSV_COLUMNS } from './stock-csv-export.js';
export { CsvFormatError, type RowError } from './stock-csv-rows.js';

/** Options of {@link importStockCsv}. */
export interface ImportOptions {
  /** `set` (default): the `available` column is the new level; `delta`: a signed change. */
  readonly mode?: 'set' | 'delta';
  /** All or nothing: with any bad row, nothing is applied. @default false (row by row) */
  readonly atomic?: boolean;
  /** Checks every row against the store and reports, writing nothing. @default false */
  readonly dryRun?: boolean;
  /** Where the per-row error report goes (CSV). @default `<file>.errors.csv` */
  readonly errorsFile?: string;
  /** Rows per call to the core's bulk update (it commits in batches of 500 within). @default 2000 */
  readonly chunkSize?: number;
  readonly progress?: Progress;
  /** The movements' reason. @default `csv import (<file name>)` */
  readonly reason?: string;
}

/** What an import did. */
export interface ImportResult {
  /** Data rows read (the header excluded). */
  readonly rows: number;
  /** Rows applied (or, with `dryRun`, that would be). A row that changes nothing counts. */
  readonly applied: number;
  /** Rows whose level changes (or would). */
  readonly changed: number;
  /** Rows whose settings were changed (or would be). */
  readonly settingsChanged: number;
  /** Rows not applied; each is a line in `errorsFile`. */
  readonly failed: number;
  /** Where the failed rows are reported, or null when none failed. */
  readonly errorsFile: string | null;
  readonly dryRun: boolean;
  readonly atomic: boolean;
  readonly durationMs: number;
}

/**
 * Imports stock levels from a CSV file (header: `sku,warehouseId,available` and optionally
 * `lowStockThreshold,reorderPoint,maxStockLevel,safetyStock`; the other columns of an export are
 * ignored; an empty setting leaves the row's value as it is, except `maxStockLevel`: no limit).
 * The file is streamed: rows go to the core's bulk update in chunks, so a 100,000-row file runs in
 * bounded memory (except with `atomic`, which holds the rows to apply them in one transaction).
 * Bad rows (malformed, unknown warehouse, a second row for the same SKU and warehouse, a level
 * that would go negative) are written to the error report with their line and code.
 */
export async function importStockCsv(
  stockroom: Stockroom,
  file: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const started = Date.now();
  const mode = options.mode ?? 'set';
  const atomic = options.atomic ?? false;
  const dryRun = options.dryRun ?? false;
  const chunkSize = options.chunkSize ?? 2000;
  const reason = options.reason ?? `csv import (${file.split(/[\\/]/).pop()})`;
  const report = new ErrorReport(options.errorsFile ?? `${file}.errors.csv`);
  const size = (await stat(file)).size;
  const warehouses = await allWarehouseIds(stockroom);
  const seen = new Map<string, number>();
  let rows = 0;
  let applied = 0;
  let changed = 0;
  let settingsChanged = 0;
  let bytes = 0;
  const held: Row[] = [];
  let chunk: Row[] = [];

  const progress = () =>
    options.progress?.update({
      done: rows,
      fraction: size > 0 ? bytes / size : 1,
      failed: report.count,
    });

  /** Applies (or, dry, checks) one chunk of valid rows. */
  const apply = async (batch: readonly Row[]) => {
    if (batch.length === 0) return;
    const current = new Map<string, InventoryStock>();
    for (const row of await stockroom.store.reads.stockBySkus([
      ...new Set(batch.map((row) => row.item.sku)),
    ])) {
      current.set(stockKeyOf(row), row);
    }
    if (dryRun) {
      for (const row of batch) {
        const before = current.get(stockKeyOf(row.item));
        const level = before?.available ?? 0;
        const next = mode === 'set' ? row.item.quantity : level + row.item.quantity;
        const { expectedQuantity } = row.item;
        if (expectedQuantity !== undefined && expectedQuantity !== level) {
          await report.add({
            ...row.item,
            line: row.line,
            code: 'VERSION_CONFLICT',
            detail: `holds ${level} available, not the expected ${expectedQuantity}`,
          });
          continue;
        }
        if (next < 0 || next > 1_000_000_000) {
          await report.add({
            ...row.item,
            line: row.line,
            code: next < 0 ? 'INSUFFICIENT_STOCK' : 'VALIDATION_FAILED',
            detail: `available would be ${next}`,
          });
          continue;
        }
        applied += 1;
        if (next !== level || !before) changed += 1;
        if (settingsDiffer(row, before)) settingsChanged += 1;
      }
      return;
    }
    const result = await stockroom.adjustments.bulkUpdate(
      { mode, atomic, items: batch.map((row) => row.item) },
      { actor: 'cli:import', reason },
    );
    const failedAt = new Set<number>();
    for (const failure of result.failed) {
      failedAt.add(failure.index);
      const row = batch[failure.index]!;
      await report.add({ ...row.item, line: row.line, code: failure.code, detail: failure.detail });
    }
    applied += result.applied;
    for (const [index, row] of batch.entries()) {
      if (failedAt.has(index)) continue;
      const before = current.get(stockKeyOf(row.item));
      const level = before?.available ?? 0;
      if (!before || (mode === 'set' ? row.item.quantity !== level : row.item.quantity !== 0)) {
        changed += 1;
      }
      if (!settingsDiffer(row, before)) continue;
      try {
        await stockroom.adjustments.updateSettings(settingsRequest(row), {
          actor: 'cli:import',
          reason,
        });
        settingsChanged += 1;
      } catch (error) {
        await report.add({
          ...row.item,
          line: row.line,
          code: (error as { code?: string }).code ?? 'INTERNAL',
          detail: `level applied, settings not: ${(error as Error).message}`,
        });
      }
    }
  };

  const input = createReadStream(file);
  input.on('data', (data) => {
    bytes += data.length;
  });
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => header.map((name) => name.trim()),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  let checkedHeader = false;
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string | undefined>;
    info: { lines: number };
  }>) {
    if (!checkedHeader) {
      checkedHeader = true;
      const missing = ['sku', 'warehouseId'].filter((name) => !(name in record));
      if (!('available' in record) && !('quantity' in record)) missing.push('available');
      if (missing.length > 0) {
        input.destroy();
        throw new CsvFormatError(`${file}: the header lacks ${missing.join(', ')}`);
      }
    }
    rows += 1;
    const read = readRecord(record, info.lines, mode);
    if (!('item' in read)) {
      await report.add(read);
    } else if (!warehouses.has(read.item.warehouseId)) {
      await report.add({
        ...read.item,
        line: read.line,
        code: 'NOT_FOUND',
        detail: `warehouse ${read.item.warehouseId} does not exist`,
      });
    } else {
      const key = stockKeyOf(read.item);
      const first = seen.get(key);
      if (first !== undefined) {
        await report.add({
          ...read.item,
          line: read.line,
          code: 'VALIDATION_FAILED',
          detail: `same sku and warehouse as line ${first}; give each row once`,
        });
      } else {
        seen.set(key, read.line);
        if (atomic) held.push(read);
        else chunk.push(read);
      }
    }
    if (chunk.length >= chunkSize) {
      await apply(chunk);
      chunk = [];
    }
    progress();
  }
  if (!checkedHeader) {
    throw new CsvFormatError(`${file}: no header row (sku,warehouseId,available)`);
  }
  bytes = size;
  if (atomic) {
    if (report.count === 0) {
      if (dryRun) {
        for (let start = 0; start < held.length; start += chunkSize) {
          await apply(held.slice(start, start + chunkSize));
        }
      } else {
        await applyAtomic(stockroom, held, mode, reason, report, (counts) => {
          applied = counts.applied;
          changed = counts.changed;
          settingsChanged = counts.settingsChanged;
        });
      }
    }
    if (report.count > 0) {
      applied = 0;
      changed = 0;
      settingsChanged = 0;
    }
  } else {
    await apply(chunk);
  }
  await report.close();
  options.progress?.finish({ done: rows, failed: report.count });
  return {
    rows,
    applied,
    changed,
    settingsChanged,
    failed: report.count,
    errorsFile: report.count > 0 ? report.path : null,
    dryRun,
    atomic,
    durationMs: Date.now() - started,
  };
}

/** One all-or-nothing bulk update of every held row; then the settings that differ. */
async function applyAtomic(
  stockroom: Stockroom,
  held: readonly Row[],
  mode: 'set' | 'delta',
  reason: string,
  report: ErrorReport,
  done: (counts: { applied: number; changed: number; settingsChanged: number }) => void,
): Promise<void> {
  const before = new Map<string, InventoryStock>();
  const skus = [...new Set(held.map((row) => row.item.sku))];
  for (let start = 0; start < skus.length; start += 500) {
    for (const row of await stockroom.store.reads.stockBySkus(skus.slice(start, start + 500))) {
      before.set(stockKeyOf(row), row);
    }
  }
  const result = await stockroom.adjustments.bulkUpdate(
    { mode, atomic: true, items: held.map((row) => row.item) },
    { actor: 'cli:import', reason },
  );
  for (const failure of result.failed) {
    const row = held[failure.index]!;
    await report.add({ ...row.item, line: row.line, code: failure.code, detail: failure.detail });
  }
  if (result.failed.length > 0) return;
  let changed = 0;
  let settingsChanged = 0;
  for (const row of held) {
    const current = before.get(stockKeyOf(row.item));
    const level = current?.available ?? 0;
    if (!current || (mode === 'set' ? row.item.quantity !== level : row.item.quantity !== 0)) {
      changed += 1;
    }
    // Settings are not ledger data: they are written after the levels commit.
    if (settingsDiffer(row, current)) {
      await stockroom.adjustments.updateSettings(settingsRequest(row), {
        actor: 'cli:import',
        reason,
      });
      settingsChanged += 1;
    }
  }
  done({ applied: result.applied, changed, settingsChanged });
}

async function allWarehouseIds(stockroom: Stockroom): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await stockroom.store.reads.warehouses({ limit: MAX_PAGE_LIMIT, cursor });
    for (const warehouse of page.items) ids.add(warehouse.id);
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}
