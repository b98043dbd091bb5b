// What every command shares: the global options, printing an outcome, opening the store.
import { resolve } from 'node:path';
import { isStockroomError, type Logger, type Stockroom, silentLogger } from '@stockroom/core';
import { type Command, InvalidArgumentError } from 'commander';
import { ApiKeyFileError } from './api-key-file.js';
import { ExitCode } from './exit-codes.js';
import { openStockroom } from './open-store.js';
import { Progress } from './progress.js';
import { CsvFormatError } from './stock-csv.js';
import { parseStoreTarget, type StoreTarget, UsageError } from './store-target.js';

export interface GlobalOptions {
  readonly database?: string;
  readonly schema?: string;
  readonly dataDir: string;
  readonly json: boolean;
  readonly progress: boolean;
}

/** A command's outcome: what to print and the exit code. */
export interface Outcome {
  readonly json: unknown;
  readonly text: string;
  readonly exitCode?: number;
}

/** The exit code of the command that ran (set by `report`). */
export const run = { exitCode: ExitCode.OK as number };

export function globals(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<GlobalOptions>();
  // An empty variable counts as unset (as the server reads its environment).
  return {
    ...options,
    dataDir: resolve(options.dataDir || './data'),
    ...(options.schema ? {} : { schema: undefined }),
  };
}

export function target(options: GlobalOptions): StoreTarget {
  return parseStoreTarget(options.database, {
    dataDir: options.dataDir,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
  });
}

export function report(options: GlobalOptions, outcome: Outcome): void {
  process.stdout.write(
    options.json ? `${JSON.stringify(outcome.json, null, 2)}\n` : `${outcome.text}\n`,
  );
  run.exitCode = outcome.exitCode ?? ExitCode.OK;
}

export function progressFor(label: string, options: GlobalOptions): Progress {
  return new Progress(label, process.stderr, { enabled: options.progress });
}

export async function withStockroom<T>(
  options: GlobalOptions,
  work: (stockroom: Stockroom) => Promise<T>,
): Promise<T> {
  const logger: Logger = silentLogger;
  const stockroom = await openStockroom(target(options), logger);
  try {
    return await work(stockroom);
  } finally {
    await stockroom.close();
  }
}

export function instant(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('must be an ISO 8601 date or time (2026-01-31T18:00:00Z)');
  }
  return date;
}

export function table(rows: readonly (readonly (string | number)[])[]): string {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => String(row[column]).length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          typeof cell === 'number'
            ? String(cell).padStart(widths[column]!)
            : cell.padEnd(widths[column]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The code, message and exit code a failed command reports. */
export function describeError(error: unknown): { code: string; message: string; exit: number } {
  if (error instanceof UsageError)
    return { code: 'USAGE', message: error.message, exit: ExitCode.USAGE };
  if (error instanceof CsvFormatError || error instanceof ApiKeyFileError) {
    return { code: 'BAD_FILE', message: error.message, exit: ExitCode.FAILED };
  }
  if (isStockroomError(error)) {
    return { code: error.code, message: error.message, exit: ExitCode.FAILED };
  }
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && error instanceof Error) {
    return { code: errno, message: error.message, exit: ExitCode.FAILED };
  }
  return {
    code: 'INTERNAL',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    exit: ExitCode.FAILED,
  };
}
