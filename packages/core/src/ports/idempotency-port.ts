import type { WriteOutcome } from './write-outcome.js';

/** A stored idempotency record: the first result of a keyed command. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** A hash of the command name and its request; a different fingerprint is a key reuse. */
  readonly fingerprint: string;
  /** The command's result as JSON text. */
  readonly result: string;
  readonly createdAt: Date;
}

/** Idempotency records inside a transaction. */
export interface IdempotencyRows {
  /**
   * The record for (scope, key), or null.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /**
   * Stores a record; `{ applied: false }` when (scope, key) exists already.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  put(record: IdempotencyRecord): Promise<WriteOutcome>;
  /**
   * Stores several records in one round trip; `{ applied: false }` when any (scope, key)
   * exists already (the caller then rolls back). Optional: without it, `put` runs per record.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  putMany?(records: readonly IdempotencyRecord[]): Promise<WriteOutcome>;
  /**
   * Overwrites the fingerprint and result of an existing record (a claim becoming a result);
   * `{ applied: false }` when (scope, key) has no record.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  replace(record: IdempotencyRecord): Promise<WriteOutcome>;
  /**
   * Deletes one record (a claim whose work failed), if it exists.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  remove(scope: string, key: string): Promise<void>;
  /**
   * Deletes records created before `before`; returns how many.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  purge(before: Date): Promise<number>;
}

/** Idempotency records outside transactions (possibly from a replica). */
export interface IdempotencyReads {
  /**
   * The idempotency record for (scope, key), or null; lets a replay be answered without a
   * transaction. Optional: without it the core reads the record in a short transaction. A
   * replica may not have a record yet, never a record the primary lacks, so a miss only means
   * "run the command", which finds the record in its own transaction.
   * @throws STORE_UNAVAILABLE
   */
  idempotencyRecord?(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /**
   * The records found for several (scope, key) pairs in one round trip (missing ones left out,
   * in any order); same freshness rule as `idempotencyRecord`. Optional: the core then looks
   * the keys up one by one. Concurrent keyed commands' lookups are gathered into one call.
   * @throws STORE_UNAVAILABLE
   */
  idempotencyRecords?(
    keys: readonly { readonly scope: string; readonly key: string }[],
  ): Promise<IdempotencyRecord[]>;
}
