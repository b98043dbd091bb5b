import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite-dialect.js';

// A WAL checkpoint copies the pages committed to the `-wal` file into the database file. SQLite
// runs one inside the COMMIT that takes the WAL past `wal_autocheckpoint` pages, on the thread
// that commits: a third of a bulk import's COMMIT time. SQLite's documentation suggests running
// checkpoints on a thread of their own instead; a PASSIVE checkpoint on another connection
// never blocks the writer, and copies what was committed before it started.

/** The writer's own checkpoint threshold while the checkpointer runs: it takes over only when the checkpointer falls this far behind. */
export const WRITER_CHECKPOINT_PAGES = 4000;
/** SQLite's default `wal_autocheckpoint`, given back to the writer when the checkpointer stops. */
const DEFAULT_CHECKPOINT_PAGES = 1000;

// CommonJS, run with `eval`: one connection to the same file, one PASSIVE checkpoint per nudge
// (nudges that arrive during one are merged), closed when told.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.filename, { fileMustExist: true });
let due = false;
parentPort.on('message', (message) => {
  if (message === 'close') {
    database.close();
    parentPort.close();
    return;
  }
  if (due) return;
  due = true;
  setImmediate(() => {
    due = false;
    try {
      database.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing: the writer's own checkpoint threshold still bounds the WAL.
    }
  });
});
`;

/** Checkpoints a store's WAL on a worker thread after the bulk writes that fill it. */
export interface Checkpointer {
  /** Asks for a checkpoint of what is committed (returns at once). */
  nudge(): void;
  /** Stops the worker and closes its connection; the writer checkpoints on its own again. */
  close(): Promise<void>;
}

/**
 * Starts a checkpointer on `filename` (a database file in WAL mode that the store owns). The
 * writer's threshold is raised to {@link WRITER_CHECKPOINT_PAGES} while it runs, and given back
 * if the worker fails or is closed. The worker does not keep the process alive.
 */
export function startCheckpointer(
  writer: SqliteDatabase,
  filename: string,
  onError: (error: unknown) => void,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, filename } });
  worker.unref();
  let running = true;
  const stop = () => {
    if (!running) return;
    running = false;
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${DEFAULT_CHECKPOINT_PAGES}`);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => {
    stop();
    onError(error);
  });
  void exited.then(stop);
  writer.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  return {
    nudge() {
      if (running) worker.postMessage('nudge');
    },
    async close() {
      // Held open until it has closed its connection: the caller awaits that.
      worker.ref();
      if (running) worker.postMessage('close');
      stop();
      await exited;
    },
  };
}
