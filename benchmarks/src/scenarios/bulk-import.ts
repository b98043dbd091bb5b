import { performance } from 'node:perf_hooks';
import { createStockroom, type InventoryStock } from '@stockroom/core';
import { readAll } from '@stockroom/core/testing';
import { describe } from '../environment.js';
import { verifyStore } from '../ledger-check.js';
import { withMemoryPeak } from '../measure.js';
import type { Ratio, ResultRow, Scenario, ScenarioContext } from '../scenario.js';
import { skippedRow, timedRow } from '../scenario.js';
import { createWarehouses, type SeedItem, setStockLevels, skuName } from '../seeding.js';
import { openStore, type StoreKind } from '../stores.js';
import { rawImportSeconds } from './bulk-import-raw.js';
import { streamInFreshProcess } from './bulk-import-stream.js';

const WAREHOUSES = 3;

/** Scenario 6: importing stock levels for many rows, then importing changed levels again. */
export const bulkImportScenario: Scenario = {
  id: 'bulk-import',
  number: 6,
  title: 'Bulk import: stock levels for many rows (new rows, then changed rows)',
  async run(context) {
    const rows: ResultRow[] = [];
    const ratios: Ratio[] = [];
    const methods = new Set<string>();
    for (const kind of ['postgres', 'sqlite'] as const) {
      try {
        const imported = await importInto(context, kind, methods);
        rows.push(...imported);
        // The ceiling right after the library's passes, so both see the same machine load.
        const raw = await rawPass(context, kind);
        rows.push(raw);
        ratios.push(...importRatios(kind, imported, raw));
      } catch (error) {
        rows.push(skippedRow(`${kind} · import`, `failed: ${describe(error)}`));
      }
    }
    // The streamed passes run last, each in a fresh store in a child process of its own, so
    // their RSS growth is the import's, not the bench process's heap history (see the file).
    for (const kind of ['postgres', 'sqlite'] as const) {
      if (context.options.streamRows === 0) break;
      try {
        rows.push(...(await streamInFreshProcess(context, kind)));
      } catch (error) {
        rows.push(skippedRow(`${kind} · streamed import`, `failed: ${describe(error)}`));
      }
    }
    const rowCount = context.options.bulkRows.toLocaleString('en-US');
    return {
      rows,
      ratios,
      notes: [
        `${rowCount} rows (${WAREHOUSES} warehouses × ${Math.ceil(context.options.bulkRows / WAREHOUSES).toLocaleString('en-US')} SKUs) in one call: first every row is new, then every row gets a new level (one ADJUSTMENT movement each, both times).`,
        `Streamed: ${context.options.streamRows > 0 ? `${context.options.streamRows.toLocaleString('en-US')} more new rows from an async generator in one bulkUpdate call (the default chunks: 1,000 on PostgreSQL, two in flight; 2,000 on SQLite; the ledger of this pass is not replayed, to keep the run short), each store's pass in a child process of its own, as a user's import runs in its own (in the bench process the earlier passes leave V8 a heap limit sized for their 100,000-item arrays); RSS growth is that process's peak minus its RSS before the call, target < 100 MB` : 'skipped (--quick)'}.`,
        'Raw ceiling: the same new rows written by hand-made SQL into a fresh store of the same engine (its tables, indexes and constraints): a stock row, an ADJUSTMENT movement and a stock-updated event per item, a back-in-stock event per SKU, one transaction per 2,000 items (PostgreSQL: one INSERT … SELECT FROM unnest a table; SQLite: prepared statements, events stored as the library stores them), nothing read or checked. Ratios are seconds ÷ seconds of the same run.',
        `Imported with ${[...methods].join(', ') || 'n/a'}. ops/s is rows/s (latency percentiles do not apply: one call per pass). Peak memory is sampled every 20 ms in this process (the benchmark holds the ${rowCount} items itself). Process CPU s: this process's CPU time over the pass, all its threads — on SQLite, which runs in the process, the import's whole work at any machine load; PostgreSQL's own work is not in it.`,
      ],
    };
  },
};

/** The raw ceiling's row: the new-rows pass written without the library. */
async function rawPass(context: ScenarioContext, kind: 'postgres' | 'sqlite'): Promise<ResultRow> {
  const label = `${kind} · raw SQL, same new rows (ceiling)`;
  const count = context.options.bulkRows;
  const outcome = await rawImportSeconds(
    context,
    kind,
    items(count, (index) => 100 + (index % 50)),
  );
  if (typeof outcome !== 'number') return skippedRow(label, outcome.skipped);
  context.log(
    `bulk-import · ${label}: ${count.toLocaleString('en-US')} rows in ${outcome.toFixed(1)} s (${(count / outcome).toFixed(0)} rows/s)`,
  );
  return timedRow(label, count / outcome, { seconds: Number(outcome.toFixed(1)) }, { requests: 1 });
}

/** Library ÷ raw for the new rows, and re-import ÷ import (target ≤ 1.5). */
function importRatios(kind: string, imported: readonly ResultRow[], raw: ResultRow): Ratio[] {
  const seconds = (row: ResultRow | undefined) =>
    row?.opsPerSecond ? 1 / row.opsPerSecond : undefined;
  const [fresh, again] = imported;
  const ratio = (over: number | undefined, under: number | undefined) =>
    over !== undefined && under !== undefined ? over / under : null;
  return [
    {
      label: `${kind}: import of new rows, library ÷ raw SQL (seconds)`,
      value: ratio(seconds(fresh), seconds(raw)),
    },
    {
      label: `${kind}: re-import ÷ import (seconds; target ≤ 1.5)`,
      value: ratio(seconds(again), seconds(fresh)),
    },
  ];
}

function items(count: number, quantityOf: (index: number) => number): SeedItem[] {
  return Array.from({ length: count }, (_unused, index) => ({
    sku: skuName('BULK', Math.floor(index / WAREHOUSES)),
    warehouseId: `wh-${(index % WAREHOUSES) + 1}`,
    quantity: quantityOf(index),
  }));
}

async function importInto(
  context: ScenarioContext,
  kind: StoreKind,
  methods: Set<string>,
): Promise<ResultRow[]> {
  const handle = await openStore(kind, context, `bulk_${kind}`);
  if ('skipped' in handle) {
    return [
      skippedRow(`${kind} · import (new rows)`, handle.skipped),
      skippedRow(`${kind} · re-import (changed rows)`, handle.skipped),
    ];
  }
  try {
    const stockroom = createStockroom({ store: handle.store });
    await createWarehouses(stockroom, WAREHOUSES);
    const count = context.options.bulkRows;
    const passes = [
      { label: `${kind} · import (new rows)`, items: items(count, (index) => 100 + (index % 50)) },
      {
        label: `${kind} · re-import (changed rows)`,
        items: items(count, (index) => 200 + (index % 70)),
      },
    ];
    const measured: {
      label: string;
      seconds: number;
      /** This process's CPU time over the pass (all its threads). */
      cpuSeconds: number;
      peakRss: number;
      peakHeap: number;
      baseline: number;
    }[] = [];
    for (const pass of passes) {
      const began = performance.now();
      const cpuBefore = process.cpuUsage();
      const { result, peakRssMb, peakHeapMb, baselineRssMb } = await withMemoryPeak(() =>
        setStockLevels(stockroom, pass.items),
      );
      const seconds = (performance.now() - began) / 1000;
      // The process's own CPU time (user + system): the part of the import the database does
      // not do, whatever the machine's load.
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      methods.add(result);
      measured.push({
        label: pass.label,
        seconds,
        cpuSeconds,
        peakRss: peakRssMb,
        peakHeap: peakHeapMb,
        baseline: baselineRssMb,
      });
      context.log(
        `bulk-import · ${pass.label}: ${count.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} rows/s, process CPU ${cpuSeconds.toFixed(1)} s), peak RSS ${peakRssMb.toFixed(0)} MB`,
      );
    }
    // Both passes checked at the end: every row at its last level, the ledger replays.
    const failures: string[] = [];
    const stock = await readAll<InventoryStock>((page) => handle.store.reads.allStock(page));
    const expected = new Map(
      passes[1]!.items.map((item) => [`${item.sku}@${item.warehouseId}`, item.quantity]),
    );
    const wrong = stock.filter(
      (row) => expected.get(`${row.sku}@${row.warehouseId}`) !== row.available,
    ).length;
    if (stock.length !== count) failures.push(`${stock.length} rows stored, ${count} imported`);
    if (wrong > 0) failures.push(`${wrong} row(s) not at the imported level`);
    const problems = await verifyStore(handle.store);
    failures.push(...problems);
    context.log(`bulk-import · ${kind}: ledger ${problems.length === 0 ? 'ok' : 'MISMATCH'}`);
    return [
      ...measured.map(
        (pass, index): ResultRow =>
          timedRow(
            pass.label,
            count / pass.seconds,
            {
              seconds: Number(pass.seconds.toFixed(1)),
              'process CPU s': Number(pass.cpuSeconds.toFixed(1)),
              'peak RSS MB': Math.round(pass.peakRss),
              'RSS growth MB': Math.round(pass.peakRss - pass.baseline),
              'peak heap MB': Math.round(pass.peakHeap),
            },
            {
              requests: 1,
              ledger: problems.length === 0 ? 'ok' : 'mismatch',
              failures: index === passes.length - 1 ? failures : [],
            },
          ),
      ),
    ];
  } finally {
    await handle.dispose();
  }
}
