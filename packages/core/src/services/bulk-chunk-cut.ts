import type { ChangeContext } from '../domain/movement.js';
import { BulkChunkSizeUnknownError } from '../errors/bulk-chunk-size-unknown-error.js';
import { IdempotencyConflictError } from '../errors/idempotency-conflict-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { ChunkPlanner, type Planned, SkuSeparator } from './bulk-chunks.js';
import type { BulkUpdateItem, BulkUpdateItems } from './bulk-update.js';
import {
  DEFAULT_IDEMPOTENCY_SCOPE,
  deserializeResult,
  fingerprint,
  serializeResult,
} from './idempotency.js';
import type { ServiceContext } from './service-context.js';

// How a keyed non-atomic import cuts its items into chunks, kept for its retries (see
// `runBulkUpdate`).

/**
 * How an import's items are cut into chunks: chunk n's items depend on these two, the order the
 * items are read in and the items themselves only (never on timing), so a retry that cuts the
 * same way gives every chunk its number again.
 */
export interface ChunkCut {
  /** Items read per chunk. */
  readonly size: number;
  /** Whether consecutive chunks are kept apart by SKU (`SkuSeparator`, two chunks in flight). */
  readonly separated: boolean;
}

/** The chunk sizes an import started by an earlier version may have used (2,000; 1,000 with two in flight). */
const EARLIER_DEFAULT_SIZES = [2000, 1000] as const;

/**
 * The chunks of an import without a record checked against the stored ones (`<key>:batch-0`
 * to `-3`) before it resumes: at most two chunks are in flight, so the first chunks an import
 * commits are among its first few.
 */
const CHECKED_CHUNKS = 4;

/**
 * The cut of a keyed non-atomic import, and the items to read (the same ones; an iterable is
 * only wrapped when its first items had to be read ahead).
 *
 * - A record under `<key>:chunks` (written by the first attempt): its cut, whatever this call
 *   is configured with.
 * - No record and no committed chunk: `configured`, recorded in a transaction of its own that
 *   commits before the first chunk is written, so no chunk of the import commits without it
 *   (with two chunks in flight, chunk 1 may commit while chunk 0 rolls back, so chunk 0's own
 *   transaction would not do). A crash before any chunk leaves the record alone, which only
 *   fixes the cut of the retry.
 * - Committed chunks without a record (an import started by a version that did not write one):
 *   the first cut whose chunks 0 to 3 give the fingerprints stored under `<key>:batch-0` to
 *   `-3` (where stored), trying the configured size, then the earlier defaults (2,000, then
 *   1,000), each with the configured SKU separation, then the other; it is then recorded. A cut
 *   that agrees with every stored chunk is exact: the committed items sit in chunks that replay,
 *   every other item in a chunk not yet written. Chunks after the fourth are not checked before
 *   the import resumes (an attempt commits its first chunks first; a later stored chunk that
 *   disagrees fails with `IDEMPOTENCY_KEY_REUSED`, as any reused key does).
 *
 * @throws IDEMPOTENCY_KEY_REUSED when the record was written for another mode
 *   (`IdempotencyConflictError`), or when committed chunks have no record and no cut tried
 *   gives the stored ones (`BulkChunkSizeUnknownError`); nothing is applied
 */
export async function settleChunkCut(
  context: ServiceContext,
  changeContext: ChangeContext,
  mode: 'set' | 'delta',
  items: BulkUpdateItems,
  configured: ChunkCut,
): Promise<{ readonly cut: ChunkCut; readonly items: BulkUpdateItems }> {
  const key = changeContext.idempotencyKey!;
  const scope = changeContext.idempotencyScope ?? DEFAULT_IDEMPOTENCY_SCOPE;
  const recordKey = `${key}:chunks`;
  const print = fingerprint('bulk-update-chunks', { mode });
  const record = async (transaction: StockTransaction, cut: ChunkCut): Promise<ChunkCut> => {
    const outcome = await transaction.idempotency.put({
      scope,
      key: recordKey,
      fingerprint: print,
      result: serializeResult(cut),
      createdAt: context.clock.now(),
    });
    // Another call with this key recorded first: the retry reads its record.
    if (!outcome.applied) {
      throw new VersionConflictError('Bulk chunk size recorded concurrently', { retryable: true });
    }
    return cut;
  };
  const recorded = (fingerprinted: string, result: string): ChunkCut => {
    if (fingerprinted !== print) throw new IdempotencyConflictError(key);
    return deserializeResult<ChunkCut>(result);
  };

  const found = await context.transact(
    async (transaction): Promise<{ cut?: ChunkCut; firstPrint?: string }> => {
      const stored = await transaction.idempotency.get(scope, recordKey);
      if (stored) return { cut: recorded(stored.fingerprint, stored.result) };
      const first = await transaction.idempotency.get(scope, `${key}:batch-0`);
      if (first) return { firstPrint: first.fingerprint };
      return { cut: await record(transaction, configured) };
    },
  );
  if (found.cut) return { cut: found.cut, items };

  // Chunks committed without a record: find the cut that gives the ones stored first.
  const sizes = [...new Set([configured.size, ...EARLIER_DEFAULT_SIZES])];
  const candidates = sizes.flatMap((size) => [
    { size, separated: configured.separated },
    { size, separated: !configured.separated },
  ]);
  const ahead = await readAhead(items, CHECKED_CHUNKS * Math.max(...sizes));
  try {
    const stored = await context.transact(async (transaction) => {
      const prints: (string | undefined)[] = [found.firstPrint];
      for (let number = 1; number < CHECKED_CHUNKS; number += 1) {
        const batch = await transaction.idempotency.get(scope, `${key}:batch-${number}`);
        prints.push(batch?.fingerprint);
      }
      return prints;
    });
    const inferred = candidates.find((candidate) => {
      const chunks = cutChunks(ahead, mode, candidate, CHECKED_CHUNKS);
      return stored.every((print, number) => {
        if (print === undefined) return true;
        const batch = chunks[number];
        return batch !== undefined && fingerprint('bulk-update-batch', { mode, batch }) === print;
      });
    });
    if (!inferred) throw new BulkChunkSizeUnknownError(key, sizes);
    const cut = await context.transact(async (transaction) => {
      const again = await transaction.idempotency.get(scope, recordKey);
      if (again) return recorded(again.fingerprint, again.result);
      return record(transaction, inferred);
    });
    return { cut, items: ahead.items };
  } catch (error) {
    // Not resumed: a stream read ahead is closed, as a source the import stops reading is.
    await ahead.close();
    throw error;
  }
}

/** The first items of an import read ahead, and the import to read from the start again. */
interface ReadAhead {
  readonly head: readonly unknown[];
  /** Whether `head` is the whole import. */
  readonly ended: boolean;
  /** The whole import: `items` itself for an array, else `head` followed by the rest. */
  readonly items: BulkUpdateItems;
  /** The whole import when it is an array (as `runBulkUpdate` plans it). */
  readonly all: readonly BulkUpdateItem[] | undefined;
  /** Closes the source when the import will not be read. */
  close(): Promise<void>;
}

/** Reads the first `count` items of `items` without losing them to the import. */
async function readAhead(items: BulkUpdateItems, count: number): Promise<ReadAhead> {
  if (Array.isArray(items)) {
    const all = items as readonly BulkUpdateItem[];
    return {
      head: all.slice(0, count),
      ended: all.length <= count,
      items,
      all,
      close: async () => {},
    };
  }
  const iterator: AsyncIterator<unknown> | Iterator<unknown> =
    typeof (items as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
      ? (items as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (items as Iterable<unknown>)[Symbol.iterator]();
  const head: unknown[] = [];
  let ended = false;
  while (head.length < count) {
    const step = await iterator.next();
    if (step.done) {
      ended = true;
      break;
    }
    head.push(step.value);
  }
  return {
    head,
    ended,
    items: resumed(head, ended, iterator),
    all: undefined,
    close: async () => {
      if (!ended) await iterator.return?.();
    },
  };
}

/** `head`, then what `iterator` still yields (closed early when the reader stops early). */
async function* resumed(
  head: readonly unknown[],
  ended: boolean,
  iterator: AsyncIterator<unknown> | Iterator<unknown>,
): AsyncGenerator<BulkUpdateItem> {
  yield* head as BulkUpdateItem[];
  if (ended) return;
  let done = false;
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        done = true;
        return;
      }
      yield step.value as BulkUpdateItem;
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}

/**
 * The first `count` chunks (at most) of the import cut as `cut` says, as `runBulkUpdate` builds
 * them from the items read ahead: only whole read chunks (or the end of the import) count.
 */
function cutChunks(
  ahead: ReadAhead,
  mode: 'set' | 'delta',
  cut: ChunkCut,
  count: number,
): Planned[][] {
  const planner = new ChunkPlanner(mode, ahead.all);
  const separator = cut.separated ? new SkuSeparator() : undefined;
  const chunks: Planned[][] = [];
  let start = 0;
  for (; start < ahead.head.length && chunks.length < count; start += cut.size) {
    if (start + cut.size > ahead.head.length && !ahead.ended) return chunks;
    const planned = planner.plan(ahead.head.slice(start, start + cut.size), []);
    const chunk = separator ? separator.next(planned).items : planned;
    if (chunk.length > 0) chunks.push(chunk);
  }
  if (separator && ahead.ended && start >= ahead.head.length && chunks.length < count) {
    const rest = separator.rest().items;
    if (rest.length > 0) chunks.push(rest);
  }
  return chunks;
}
