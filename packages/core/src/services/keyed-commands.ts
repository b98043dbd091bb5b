import { backoffDelay, type RetryPolicy } from '../concurrency/retry-policy.js';
import type { ChangeContext } from '../domain/movement.js';
import { IdempotencyConflictError } from '../errors/idempotency-conflict-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyRecord, StockStore } from '../ports/stock-store.js';
import {
  DEFAULT_IDEMPOTENCY_SCOPE,
  deserializeResult,
  fingerprint,
  markCheckedFresh,
  serializeResult,
} from './idempotency.js';

/** The result text of a claim whose work has not finished (no command returns this object). */
const PENDING = '{"$stockroom":"pending claim"}';

interface Settled {
  readonly print: string;
  readonly text: string;
}

/**
 * The front door of every keyed command (invariant 4 and 7): a key that already took effect is
 * answered from its stored result before the command joins a batch, takes a lock or reads a
 * stock row; concurrent calls with one key in this process share the first call's outcome (one
 * store transaction, N−1 replays). Calls racing from other processes are settled by the store:
 * the record is written in the same transaction as the effect, and the loser's retry replays it.
 */
export class KeyedCommands {
  private readonly inFlight = new Map<string, Promise<Settled>>();
  /** Lookups waiting for the next gathered read (one round trip for all of them). */
  private pendingLookups:
    | Map<
        string,
        {
          readonly scope: string;
          readonly key: string;
          readonly waiters: Array<{
            resolve(record: IdempotencyRecord | null): void;
            reject(error: unknown): void;
          }>;
        }
      >
    | undefined;

  constructor(
    private readonly store: StockStore,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
  ) {}

  /**
   * Runs `run` (which stores its result under the key in its own transaction, see
   * `runIdempotent`) unless the key is already answered or in flight here.
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   */
  async run<T>(
    context: ChangeContext,
    command: string,
    request: unknown,
    run: () => Promise<T>,
  ): Promise<T> {
    const key = context.idempotencyKey;
    if (!key) return run();
    const scope = context.idempotencyScope ?? DEFAULT_IDEMPOTENCY_SCOPE;
    const print = fingerprint(command, request);
    const replayed = await this.replayOf<T>(scope, key, print, context);
    if (replayed.found) return replayed.result;
    // The transaction need not look again: if another process (or a lagging replica) hid a
    // record from this lookup, storing ours fails on the unique key and the retry replays it.
    markCheckedFresh(context);
    return this.share(scope, key, print, context, async () => {
      const result = await run();
      return serializeResult(result);
    }).then((text) => deserializeResult<T>(text));
  }

  /**
   * Runs `work` at most once per key across every process on the store, for commands whose
   * effect is not one store transaction (a job run): the key is claimed first, `work` runs, the
   * claim becomes the result. Concurrent callers wait for the result and get it as a replay; a
   * failed `work` frees the key (nothing is stored) and rethrows.
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   * @throws STORE_UNAVAILABLE when another process's claim stays unfinished past the deadline
   */
  async runOnce<T>(
    context: ChangeContext,
    command: string,
    request: unknown,
    work: () => Promise<T>,
  ): Promise<T> {
    const key = context.idempotencyKey;
    if (!key) return work();
    const scope = context.idempotencyScope ?? DEFAULT_IDEMPOTENCY_SCOPE;
    const print = fingerprint(command, request);
    const replayed = await this.replayOf<T>(scope, key, print, context);
    if (replayed.found) return replayed.result;
    const text = await this.share(scope, key, print, context, async () => {
      const claim: IdempotencyRecord = {
        scope,
        key,
        fingerprint: print,
        result: PENDING,
        createdAt: this.clock.now(),
      };
      const claimed = await this.store.transaction((transaction) =>
        transaction.idempotency.put(claim),
      );
      if (!claimed.applied) {
        // Another process claimed it between our lookup and our claim: wait for its result.
        const found = await this.waitForResult(scope, key);
        if (found.fingerprint !== print) throw new IdempotencyConflictError(key);
        context.onReplay?.();
        return found.result;
      }
      let result: string;
      try {
        result = serializeResult(await work());
      } catch (error) {
        await this.store.transaction((transaction) => transaction.idempotency.remove(scope, key));
        throw error;
      }
      await this.store.transaction((transaction) =>
        transaction.idempotency.replace({ ...claim, result }),
      );
      return result;
    });
    return deserializeResult<T>(text);
  }

  /** A stored, finished record for the key answered as a replay (waiting out a claim). */
  private async replayOf<T>(
    scope: string,
    key: string,
    print: string,
    context: ChangeContext,
  ): Promise<{ found: true; result: T } | { found: false }> {
    let record = await this.lookup(scope, key);
    if (!record) return { found: false };
    if (record.fingerprint !== print) throw new IdempotencyConflictError(key);
    if (record.result === PENDING) record = await this.waitForResult(scope, key);
    if (record.fingerprint !== print) throw new IdempotencyConflictError(key);
    context.onReplay?.();
    return { found: true, result: deserializeResult<T>(record.result) };
  }

  /** Concurrent calls with one key in this process share the first call's outcome. */
  private async share(
    scope: string,
    key: string,
    print: string,
    context: ChangeContext,
    run: () => Promise<string>,
  ): Promise<string> {
    const flight = `${scope}\u0000${key}`;
    for (;;) {
      const running = this.inFlight.get(flight);
      if (!running) break;
      const settled = await running.catch(() => undefined);
      // The first call failed (nothing stored): run this one on its own.
      if (settled === undefined) continue;
      if (settled.print !== print) throw new IdempotencyConflictError(key);
      context.onReplay?.();
      return settled.text;
    }
    const promise = run().then((text) => ({ print, text }));
    this.inFlight.set(flight, promise);
    try {
      return (await promise).text;
    } finally {
      if (this.inFlight.get(flight) === promise) this.inFlight.delete(flight);
    }
  }

  private async lookup(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const reads = this.store.reads;
    if (reads.idempotencyRecords) return this.gatheredLookup(scope, key);
    if (reads.idempotencyRecord) return reads.idempotencyRecord(scope, key);
    return this.store.transaction((transaction) => transaction.idempotency.get(scope, key));
  }

  /**
   * Joins the lookups made in this turn of the event loop into one `idempotencyRecords` read:
   * under load, one round trip (and one pooled connection) answers every new keyed command
   * instead of one each.
   */
  private gatheredLookup(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return new Promise((resolve, reject) => {
      let pending = this.pendingLookups;
      if (!pending) {
        pending = new Map();
        this.pendingLookups = pending;
        setImmediate(() => {
          this.pendingLookups = undefined;
          void this.readGathered(pending!);
        });
      }
      const id = `${scope}\u0000${key}`;
      const entry = pending.get(id) ?? { scope, key, waiters: [] };
      entry.waiters.push({ resolve, reject });
      pending.set(id, entry);
    });
  }

  private async readGathered(pending: NonNullable<KeyedCommands['pendingLookups']>): Promise<void> {
    const entries = [...pending.values()];
    try {
      const records = await this.store.reads.idempotencyRecords!(
        entries.map(({ scope, key }) => ({ scope, key })),
      );
      const found = new Map(
        records.map((record) => [`${record.scope}\u0000${record.key}`, record]),
      );
      for (const [id, entry] of pending) {
        const record = found.get(id) ?? null;
        for (const waiter of entry.waiters) waiter.resolve(record);
      }
    } catch (error) {
      for (const entry of entries) for (const waiter of entry.waiters) waiter.reject(error);
    }
  }

  /** Polls a claimed key until its result is stored (read on the primary). */
  private async waitForResult(scope: string, key: string): Promise<IdempotencyRecord> {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      const record = await this.store.transaction((transaction) =>
        transaction.idempotency.get(scope, key),
      );
      if (record && record.result !== PENDING) return record;
      if (!record) {
        throw new StoreUnavailableError(
          `The first call with idempotency key ${key} failed; send the request again`,
        );
      }
      if (Date.now() - started > this.retryPolicy.deadlineMs) {
        throw new StoreUnavailableError(
          `The first call with idempotency key ${key} has not finished; send the request again later`,
        );
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(1, backoffDelay(this.retryPolicy, attempt + 3))),
      );
    }
  }
}
