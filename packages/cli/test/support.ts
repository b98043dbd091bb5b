import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStockStore } from '@stockroom/adapter-sqlite';
import { createStockroom, type Stockroom } from '@stockroom/core';

/** The built binary under test (`npm test` builds the packages first). */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

if (!existsSync(CLI)) {
  throw new Error(
    `${CLI} is missing: build the CLI first (npx turbo run build --filter=@stockroom/cli)`,
  );
}

/** What one run of the binary gave. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `stockroom <args>` in `cwd` (not a TTY: progress comes as plain lines). */
export function stockroom(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Record<string, string> },
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd,
        env: { ...cleanEnvironment(), ...options.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The test's environment without the variables that would point the CLI elsewhere. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_SCHEMA', 'STOCKROOM_DATA_DIR']) {
    delete environment[name];
  }
  return environment;
}

/** A temporary folder, removed by the returned cleanup. */
export async function workspace(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'stockroom-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens a SQLite store file with the library (to prepare or inspect what the CLI sees). */
export async function openSqlite(filename: string): Promise<Stockroom> {
  return createStockroom({ store: await createSqliteStockStore({ filename }) });
}

/** Creates warehouses without capacity limits. */
export async function createWarehouses(
  stockroom: Stockroom,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) await stockroom.warehouses.create({ id, name: id });
}
