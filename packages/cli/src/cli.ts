// The `stockroom` command. Every command prints a human summary, or one JSON document with
// --json; progress goes to stderr. Exit codes: see exit-codes.ts.
import { createWriteStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { movementsToNdjson, silentLogger } from '@stockroom/core';
import { Command, CommanderError, Option } from 'commander';
import { addKitCommands, addPolicyCommands } from './catalog-commands.js';
import {
  describeError,
  globals,
  instant,
  progressFor,
  report,
  run,
  table,
  target,
  withStockroom,
} from './cli-support.js';
import { seedDemoData } from './demo-data.js';
import { ExitCode } from './exit-codes.js';
import { addKeyCommands } from './key-commands.js';
import { migrateStore } from './open-store.js';
import { stockOf } from './stock-as-of.js';
import { exportStockCsv, importStockCsv } from './stock-csv.js';
import { describeTarget, UsageError } from './store-target.js';

// dist/cli.js sits one folder below the package's manifest.
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Builds the program (exported for tests of the wiring). */
export function buildProgram(): Command {
  const program = new Command('stockroom')
    .description('Operate a stockroom store: migrate, import and export stock, reconcile, keys')
    .version(VERSION)
    .addOption(
      new Option(
        '--database <url>',
        'postgres://… URL, sqlite:<file> or a SQLite file path (default: <data-dir>/stockroom.db)',
      ).env('DATABASE_URL'),
    )
    .addOption(
      new Option('--schema <name>', 'PostgreSQL schema (default: stockroom)').env(
        'DATABASE_SCHEMA',
      ),
    )
    .addOption(
      new Option('--data-dir <dir>', "the server's data directory (SQLite file, API keys)")
        .env('STOCKROOM_DATA_DIR')
        .default('./data'),
    )
    .option('--json', 'print one JSON document (for scripts)', false)
    .option('--no-progress', 'no progress output on stderr')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('migrate')
    .description('bring the store schema to the latest version')
    .action(async (_options, command: Command) => {
      const options = globals(command);
      const where = target(options);
      const applied = await migrateStore(where, silentLogger);
      report(options, {
        json: { store: describeTarget(where), applied },
        text:
          applied.length === 0
            ? `${describeTarget(where)} is up to date`
            : `applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to ${describeTarget(where)}: ${applied.join(', ')}`,
      });
    });

  program
    .command('import')
    .description(
      'import stock levels from CSV (sku,warehouseId,available[,lowStockThreshold,…,safetyStock])',
    )
    .argument('<file>', 'the CSV file')
    .addOption(
      new Option('--mode <mode>', 'set: available is the new level; delta: a signed change')
        .choices(['set', 'delta'])
        .default('set'),
    )
    .option('--atomic', 'all or nothing: with any bad row, nothing is applied', false)
    .option('--dry-run', 'check every row against the store and report, writing nothing', false)
    .option('--errors <file>', 'where bad rows are reported (default: <file>.errors.csv)')
    .action(async (file: string, local, command: Command) => {
      const options = globals(command);
      const path = resolve(file);
      if (!existsSync(path)) throw new UsageError(`no such file: ${file}`);
      const result = await withStockroom(options, (stockroom) =>
        importStockCsv(stockroom, path, {
          mode: local.mode,
          atomic: local.atomic,
          dryRun: local.dryRun,
          ...(local.errors === undefined ? {} : { errorsFile: resolve(local.errors) }),
          progress: progressFor(local.dryRun ? 'checking' : 'importing', options),
        }),
      );
      const verb = result.dryRun ? 'would apply' : 'applied';
      const lines = [
        `${result.rows.toLocaleString('en')} rows read; ${verb} ${result.applied.toLocaleString('en')} (${result.changed.toLocaleString('en')} changed level${result.settingsChanged ? `, ${result.settingsChanged} changed settings` : ''}); ${result.failed.toLocaleString('en')} failed in ${(result.durationMs / 1000).toFixed(1)} s`,
      ];
      if (result.atomic && result.failed > 0)
        lines.push('atomic: nothing was applied because rows failed');
      if (result.errorsFile) lines.push(`bad rows: ${result.errorsFile}`);
      report(options, {
        json: result,
        text: lines.join('\n'),
        exitCode: result.failed > 0 ? ExitCode.FINDINGS : ExitCode.OK,
      });
    });

  program
    .command('export')
    .description('export stock levels as CSV, sorted by sku and warehouse')
    .option('-o, --output <file>', 'write to a file (default: stdout)')
    .option('--warehouse <id>', 'only this warehouse')
    .action(async (local, command: Command) => {
      const options = globals(command);
      const toFile = local.output !== undefined;
      const output = toFile ? createWriteStream(resolve(local.output)) : process.stdout;
      const count = await withStockroom(options, (stockroom) =>
        exportStockCsv(stockroom, output, {
          ...(local.warehouse === undefined ? {} : { warehouseId: local.warehouse }),
          progress: progressFor('exporting', options),
          closeOutput: toFile,
        }),
      );
      if (!toFile) return;
      report(options, {
        json: { rows: count, file: resolve(local.output) },
        text: `exported ${count.toLocaleString('en')} rows to ${resolve(local.output)}`,
      });
    });

  program
    .command('reconcile')
    .description(
      'check every stock row against its ledger, its active holds and its waiting backorders, and every open receipt against its preorders',
    )
    .option('--repair', 'record an ADJUSTMENT for what does not add up', false)
    .action(async (local, command: Command) => {
      const options = globals(command);
      const result = await withStockroom(options, (stockroom) =>
        stockroom.reconciliation.reconcile({ repair: local.repair }, { actor: 'cli:reconcile' }),
      );
      const receipts = result.receiptDiscrepancies;
      const found = result.discrepancies.length + receipts.length;
      const lines = [
        `checked ${result.checked.toLocaleString('en')} rows: ${found === 0 ? 'everything adds up' : `${found} discrepanc${found === 1 ? 'y' : 'ies'}`}${local.repair ? `, ${result.repaired} repaired` : ''}`,
      ];
      if (result.discrepancies.length > 0) {
        lines.push(
          table([
            ['sku', 'warehouse', 'kind', 'bucket', 'stored', 'expected'],
            ...result.discrepancies.map((entry) => [
              entry.sku,
              entry.warehouseId,
              entry.kind,
              entry.bucket,
              entry.stored,
              entry.expected,
            ]),
          ]),
        );
      }
      if (receipts.length > 0) {
        lines.push(
          table([
            ['receipt', 'sku', 'warehouse', 'kind', 'stored', 'expected'],
            ...receipts.map((entry) => [
              entry.receiptId,
              entry.sku,
              entry.warehouseId,
              entry.kind,
              entry.stored,
              entry.expected,
            ]),
          ]),
        );
      }
      if (found > 0 && !local.repair) {
        lines.push(
          'run with --repair to record the ledger and reserved differences (backordered and preordered ones need a person)',
        );
      }
      report(options, {
        json: result,
        text: lines.join('\n'),
        exitCode: found > result.repaired ? ExitCode.FINDINGS : ExitCode.OK,
      });
    });

  program
    .command('archive')
    .description(
      'reconcile, then move the movements recorded before an instant that a checkpoint covers to an NDJSON file (appended) and remove them from the store',
    )
    .requiredOption('--before <time>', 'ISO 8601 instant, e.g. 2026-01-01T00:00:00Z', instant)
    .requiredOption('--out <file>', 'the NDJSON file the movements are appended to')
    .action(async (local: { before: Date; out: string }, command: Command) => {
      const options = globals(command);
      const file = createWriteStream(resolve(local.out), { flags: 'a' });
      const write = (text: string) =>
        new Promise<void>((done, fail) => {
          file.write(text, (error) => (error ? fail(error) : done()));
        });
      try {
        const result = await withStockroom(options, async (stockroom) => {
          // Checkpoints first: only movements a verified checkpoint covers may leave the store.
          await stockroom.reconciliation.reconcile({}, { actor: 'cli:archive' });
          return stockroom.history.archive({
            before: local.before,
            sink: async (movements) => {
              if (movements.length > 0) await write(movementsToNdjson(movements));
            },
          });
        });
        report(options, {
          json: result,
          text: `archived ${result.exported.toLocaleString('en')} movements to ${local.out}, removed ${result.removed.toLocaleString('en')}; history before ${result.horizon?.toISOString() ?? 'nothing'} is archived`,
        });
      } finally {
        await new Promise<void>((done) => file.end(done));
      }
    });

  program
    .command('stock')
    .description("a SKU's stock per warehouse, now or as of a past instant (ledger replay)")
    .argument('<sku>')
    .option('--as-of <time>', 'ISO 8601 instant, e.g. 2026-01-31T18:00:00Z', instant)
    .action(async (sku: string, local, command: Command) => {
      const options = globals(command);
      const asOf: Date | undefined = local.asOf;
      const levels = await withStockroom(options, (stockroom) => stockOf(stockroom, sku, asOf));
      const sum = (pick: (level: (typeof levels)[number]) => number) =>
        levels.reduce((total, level) => total + pick(level), 0);
      const totals = {
        available: sum((level) => level.available),
        reserved: sum((level) => level.reserved),
        damaged: sum((level) => level.damaged),
        inTransit: sum((level) => level.inTransit),
        backordered: sum((level) => level.backordered),
        total: sum((level) => level.total),
      };
      report(options, {
        json: { sku, asOf: asOf?.toISOString() ?? null, warehouses: levels, ...totals },
        text:
          levels.length === 0
            ? `${sku}: no stock${asOf ? ` as of ${asOf.toISOString()}` : ''}`
            : `${sku}${asOf ? ` as of ${asOf.toISOString()}` : ''}\n${table([
                [
                  'warehouse',
                  'available',
                  'reserved',
                  'damaged',
                  'inTransit',
                  'backordered',
                  'total',
                ],
                ...levels.map((level) => [
                  level.warehouseId,
                  level.available,
                  level.reserved,
                  level.damaged,
                  level.inTransit,
                  level.backordered,
                  level.total,
                ]),
                [
                  'all',
                  totals.available,
                  totals.reserved,
                  totals.damaged,
                  totals.inTransit,
                  totals.backordered,
                  totals.total,
                ],
              ])}`,
      });
    });

  addKeyCommands(program);
  addKitCommands(program);
  addPolicyCommands(program);

  program
    .command('seed')
    .description('load the demo data (5 warehouses, 300 SKUs) unless the store holds warehouses')
    .action(async (_local, command: Command) => {
      const options = globals(command);
      const result = await withStockroom(options, (stockroom) => seedDemoData(stockroom));
      report(options, {
        json: result,
        text: result.seeded
          ? `loaded ${result.warehouses} warehouses and ${result.rows} stock rows of ${result.skus} SKUs into ${describeTarget(target(options))}`
          : `${describeTarget(target(options))} already holds warehouses; nothing loaded`,
      });
    });

  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const envFile = resolve('.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return run.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const described = describeError(error);
    process.stderr.write(
      json
        ? `${JSON.stringify({ error: described.code, message: described.message })}\n`
        : `stockroom: ${described.message}\n`,
    );
    return described.exit;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
