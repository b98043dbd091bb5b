import type { GroupOutcome, JobGroup } from '../concurrency/write-lanes.js';
import type { ChangeContext } from '../domain/movement.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { runIdempotent } from './idempotency.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { type NewRowsInsert, StockChangeSet } from './stock-change-set.js';

/** The effects of a change that changed nothing. */
export const NO_EFFECTS: CommitEffects = Object.freeze({
  touched: [],
  replenished: [],
  soldOut: [],
});

/**
 * A view of a transaction a change set writes through (the bulk import's buffered inserts), and
 * what must run once the change set has flushed.
 */
export interface TransactionView {
  readonly transaction: StockTransaction;
  /**
   * Takes every new row of the change set at once, as `transaction.stock.insert` would one by
   * one (see {@link NewRowsInsert}); without it they are inserted row by row.
   */
  readonly insertAll?: NewRowsInsert;
  settle(): Promise<void>;
}

/** The transaction of a stock change, handed to its work. */
export interface StockChangeScope {
  readonly transaction: StockTransaction;
  /** The instant of the attempt: every movement and event of the change carries it. */
  readonly now: Date;
  /**
   * Runs `work` on a new change set in this transaction and flushes it (rows, ledger, outbox,
   * alerts); its cache effects run once the transaction has committed.
   */
  change<T>(
    work: (changes: StockChangeSet, transaction: StockTransaction) => Promise<T>,
    view?: (transaction: StockTransaction) => TransactionView,
  ): Promise<T>;
}

/** Where a stock change runs, and whether it is a keyed command. */
export interface StockChangeOptions {
  /** Run in the lane of these SKUs (the SKUs it writes); without, in a retried transaction. */
  readonly skus?: readonly string[];
  /** A keyed command: a replay answers the stored result and changes nothing. */
  readonly keyed?: {
    readonly context: ChangeContext;
    readonly command: string;
    readonly request: unknown;
  };
}

/** Runs `work` on a fresh change set and flushes it (nothing is written when it stayed empty). */
async function changeIn<T>(
  context: ServiceContext,
  transaction: StockTransaction,
  now: Date,
  work: (changes: StockChangeSet, transaction: StockTransaction) => Promise<T>,
  view?: (transaction: StockTransaction) => TransactionView,
): Promise<{ value: T; effects: CommitEffects }> {
  const target = view?.(transaction);
  const on = target?.transaction ?? transaction;
  const changes = new StockChangeSet(on, context, now, target?.insertAll);
  const value = await work(changes, on);
  const effects = changes.isEmpty ? NO_EFFECTS : await changes.flush();
  await target?.settle();
  return { value, effects };
}

/**
 * Runs a stock change from start to end: in the lane of its SKUs (or a retried transaction),
 * as a keyed command when asked, with one or more change sets flushed before the commit, and
 * the cache effects (invalidation, sold-out marks) applied after it. Every service that writes
 * stock goes through here or {@link runGroupedStockChange}.
 */
export async function runStockChanges<T>(
  context: ServiceContext,
  options: StockChangeOptions,
  work: (scope: StockChangeScope) => Promise<T>,
): Promise<T> {
  let effects: CommitEffects[] = [];
  const attempt = async (transaction: StockTransaction): Promise<T> => {
    // A retried attempt starts over: what a rolled-back attempt flushed never committed.
    effects = [];
    const now = context.clock.now();
    const scope: StockChangeScope = {
      transaction,
      now,
      change: async (change, view) => {
        const outcome = await changeIn(context, transaction, now, change, view);
        if (outcome.effects !== NO_EFFECTS) effects.push(outcome.effects);
        return outcome.value;
      },
    };
    const keyed = options.keyed;
    if (!keyed) return work(scope);
    return runIdempotent(transaction, keyed.context, keyed.command, keyed.request, now, () =>
      work(scope),
    );
  };
  const result = options.skus
    ? await context.lanes.run(options.skus, attempt)
    : await context.transact(attempt);
  if (effects.length > 0) await context.afterCommit(mergeEffects(effects));
  return result;
}

/** {@link runStockChanges} with one change set: the common case. */
export function runStockChange<T>(
  context: ServiceContext,
  options: StockChangeOptions,
  work: (changes: StockChangeSet, transaction: StockTransaction, now: Date) => Promise<T>,
): Promise<T> {
  return runStockChanges(context, options, (scope) =>
    scope.change((changes, transaction) => work(changes, transaction, scope.now)),
  );
}

/** The union of several changes' effects. */
export function mergeEffects(all: readonly CommitEffects[]): CommitEffects {
  if (all.length === 1) return all[0]!;
  const union = (pick: (effects: CommitEffects) => readonly string[]) => [
    ...new Set(all.flatMap(pick)),
  ];
  return {
    touched: union((effects) => effects.touched),
    replenished: union((effects) => effects.replenished),
    soldOut: union((effects) => effects.soldOut),
  };
}

const EFFECTS = Symbol('stockroom.effects');

/** A job's value carrying its batch's effects (only one job of a batch carries them). */
class Carried<T> {
  constructor(
    readonly value: T,
    readonly effects: CommitEffects,
  ) {}
}

/** A job group whose jobs share one change set per batch (see {@link stockChangeGroup}). */
export type StockChangeGroup<P, T> = JobGroup<P, T | Carried<T>>;

/**
 * A lane job group whose jobs, when they meet in a batch, share one change set: the rows are
 * read once and written once for the whole batch. `apply` returns one outcome per job; the
 * batch's cache effects ride on one of the outcomes (the first success, else the first
 * refusal) so that {@link runGroupedStockChange} applies them once after the commit.
 */
export function stockChangeGroup<P, T>(
  context: ServiceContext,
  definition: {
    /** Batched even when `commands` batching is off. */
    readonly always?: boolean;
    apply(
      changes: StockChangeSet,
      transaction: StockTransaction,
      jobs: readonly P[],
    ): Promise<GroupOutcome<T>[]>;
  },
): StockChangeGroup<P, T> {
  return {
    ...(definition.always ? { always: true } : {}),
    runMany: async (transaction, jobs) => {
      const { value: outcomes, effects } = await changeIn(
        context,
        transaction,
        context.clock.now(),
        (changes, on) => definition.apply(changes, on, jobs),
      );
      // The outcomes are handed on as they are: only the carrier's is replaced (a flash-sale
      // batch allocates nothing more per job).
      const handed: GroupOutcome<T | Carried<T>>[] = outcomes;
      if (effects === NO_EFFECTS || outcomes.length === 0) return handed;
      const carrier = Math.max(
        outcomes.findIndex((outcome) => outcome.ok),
        0,
      );
      const outcome = outcomes[carrier]!;
      if (outcome.ok) handed[carrier] = { ok: true, value: new Carried(outcome.value, effects) };
      else if (typeof outcome.error === 'object' && outcome.error !== null) {
        // The sold-out marks of a refused crowd still have to be set: carry them on the error.
        Object.defineProperty(outcome.error, EFFECTS, { value: effects, enumerable: false });
      }
      return handed;
    },
  };
}

/**
 * Queues one job of a stock-change group on the lane of `skus` and, once its batch committed,
 * applies the batch's cache effects when this job carries them.
 */
export function runGroupedStockChange<P, T>(
  context: ServiceContext,
  group: StockChangeGroup<P, T>,
  skus: readonly string[],
  payload: P,
): Promise<T> {
  // Not an async function: a job that carries nothing settles with no extra await.
  return context.lanes.runGrouped(group, skus, payload).then(
    (outcome) =>
      outcome instanceof Carried
        ? context.afterCommit(outcome.effects).then(() => outcome.value as T)
        : outcome,
    async (error: unknown) => {
      const carried = (error as { [EFFECTS]?: CommitEffects } | null)?.[EFFECTS];
      if (carried) await context.afterCommit(carried);
      throw error;
    },
  );
}
