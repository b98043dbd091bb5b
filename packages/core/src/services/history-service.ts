import type { Movement, MovementType } from '../domain/movement.js';
import type { Page } from '../ports/page.js';
import type { ServiceContext } from './service-context.js';
import { validate } from './validate.js';

/** Where archived movements go: resolve only once the batch is durably written. */
export type ArchiveSink = (movements: readonly Movement[]) => Promise<void>;

/** Which movements to archive: those recorded before an instant, or older than an age. */
export type ArchiveHorizon =
  | { readonly before: Date; readonly olderThanMs?: never }
  | { readonly olderThanMs: number; readonly before?: never };

/** Options of {@link HistoryService.archive}. */
export type ArchiveOptions = ArchiveHorizon & {
  /**
   * Receives the movements in batches, in (createdAt, id) order. Each batch is removed from the
   * store only after the sink resolved for it; when the sink throws, archiving stops and the
   * batch stays in the store.
   */
  readonly sink: ArchiveSink;
  /** Movements per batch (and per delete transaction), 1–10 000. @default 1000 */
  readonly batchSize?: number;
};

/** What one archive run did. */
export interface ArchiveResult {
  /**
   * The store's archive horizon after the run: movements recorded before it may be gone. Null
   * when nothing was ever archived (this run found nothing a checkpoint covers).
   */
  readonly horizon: Date | null;
  /** Movements handed to the sink (and acknowledged by it). */
  readonly exported: number;
  /** Movements removed from the store: always among those exported. */
  readonly removed: number;
  /** Superseded checkpoints before the horizon that were deleted (each row keeps its latest one). */
  readonly checkpointsPruned: number;
}

/** A movement as one JSON object (times as ISO-8601 text), the NDJSON archive format. */
export interface MovementJson extends Omit<Movement, 'createdAt'> {
  readonly createdAt: string;
}

const DEFAULT_BATCH = 1000;
const MAX_BATCH = 10_000;

/**
 * Retention of the ledger: exporting and removing movements that a checkpoint covers, and the
 * archive horizon before which point-in-time reads are refused.
 *
 * Only movements that a reconciliation checkpoint covers can go: a row's movements up to its
 * latest checkpoint recorded before the horizon. That checkpoint stays, so reconciliation and
 * `stockAsOf` at or after the horizon still start from a verified state. Run a reconciliation
 * first; rows it has not checkpointed keep their movements.
 */
export class HistoryService {
  constructor(private readonly context: ServiceContext) {}

  /** The instant before which movements may have been archived, or null when none ever were. */
  horizon(): Promise<Date | null> {
    return this.context.store.reads.historyHorizon();
  }

  /**
   * Streams the movements {@link archive} would remove now (read only: nothing is removed), in
   * (createdAt, id) order, a page at a time.
   */
  async *archivable(horizon: ArchiveHorizon, batchSize = DEFAULT_BATCH): AsyncGenerator<Movement> {
    const before = this.resolve(horizon, batchSize);
    let cursor: string | null = null;
    do {
      const page: Page<Movement> = await this.context.store.reads.archivable(before, {
        limit: batchSize,
        cursor,
      });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * Archives the movements recorded before the horizon that a checkpoint covers: hands each
   * batch to `sink`, then deletes exactly the movements of that batch (by id) in one transaction
   * that also raises the store's archive horizon. A movement the sink did not acknowledge is
   * never deleted. Afterwards `stockAsOf` before the horizon throws HISTORY_ARCHIVED, and
   * superseded checkpoints before it are pruned. The horizon only moves forward; running it
   * again with the same horizon archives what new checkpoints cover since.
   *
   * @example
   * ```ts
   * const out = createWriteStream('movements-2026-01.ndjson', { flags: 'a' });
   * await stockroom.history.archive({
   *   before: new Date('2026-02-01T00:00:00Z'),
   *   sink: (batch) => new Promise((resolve, reject) =>
   *     out.write(movementsToNdjson(batch), (error) => (error ? reject(error) : resolve()))),
   * });
   * ```
   * @throws VALIDATION_FAILED for a horizon in the future or a bad batch size; whatever `sink` throws
   */
  async archive(options: ArchiveOptions): Promise<ArchiveResult> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    const before = this.resolve(options, batchSize);
    validate()
      .check(typeof options.sink === 'function', 'sink', 'must be a function')
      .done();
    let exported = 0;
    let removed = 0;
    let cursor: string | null = null;
    do {
      const page: Page<Movement> = await this.context.store.reads.archivable(before, {
        limit: batchSize,
        cursor,
      });
      if (page.items.length > 0) {
        await options.sink(page.items);
        exported += page.items.length;
        removed += await this.context.transact(async (transaction) => {
          await transaction.history.raiseHorizon(before);
          return transaction.history.removeMovements(page.items);
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    const pruned = await this.context.transact((transaction) =>
      transaction.history.pruneCheckpoints(before),
    );
    this.context.logger.info(
      { before, exported, removed, checkpointsPruned: pruned },
      'ledger movements archived',
    );
    return { horizon: await this.horizon(), exported, removed, checkpointsPruned: pruned };
  }

  private resolve(horizon: ArchiveHorizon, batchSize: number): Date {
    const now = this.context.clock.now();
    const before =
      horizon.before ??
      new Date(
        now.getTime() - (typeof horizon.olderThanMs === 'number' ? horizon.olderThanMs : NaN),
      );
    validate()
      .check(
        before instanceof Date && Number.isFinite(before.getTime()),
        horizon.before === undefined ? 'olderThanMs' : 'before',
        horizon.before === undefined ? 'must be a number of milliseconds' : 'must be a valid date',
      )
      .check(
        !(before instanceof Date) || before.getTime() <= now.getTime(),
        'before',
        'must not be in the future',
      )
      .check(
        Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_BATCH,
        'batchSize',
        `must be an integer 1–${MAX_BATCH}`,
      )
      .done();
    return before;
  }
}

/** A movement as plain JSON (see {@link MovementJson}). */
export function movementToJson(movement: Movement): MovementJson {
  return { ...movement, createdAt: movement.createdAt.toISOString() };
}

/** A movement back from its JSON form (a line of an archive). */
export function movementFromJson(json: MovementJson): Movement {
  return { ...json, type: json.type as MovementType, createdAt: new Date(json.createdAt) };
}

/** NDJSON text of movements: one JSON object per line, each line ended by `\n`. */
export function movementsToNdjson(movements: readonly Movement[]): string {
  let text = '';
  for (const movement of movements) text += `${JSON.stringify(movementToJson(movement))}\n`;
  return text;
}

/**
 * Turns a stream of movements into NDJSON lines (for `Readable.from(…)` or a web stream).
 * @example
 * ```ts
 * await pipeline(Readable.from(toNdjsonLines(stockroom.history.archivable({ olderThanMs }))), out);
 * ```
 */
export async function* toNdjsonLines(movements: AsyncIterable<Movement>): AsyncGenerator<string> {
  for await (const movement of movements) yield `${JSON.stringify(movementToJson(movement))}\n`;
}
