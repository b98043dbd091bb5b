import type { ChangeContext } from '../domain/movement.js';
import { IdempotencyConflictError } from '../errors/idempotency-conflict-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';

/** The scope used when a command names none. */
export const DEFAULT_IDEMPOTENCY_SCOPE = 'default';

/** Stable JSON: object keys sorted, so equal requests give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item && typeof item === 'object' && !Array.isArray(item) && !(item instanceof Date)) {
      return Object.fromEntries(
        Object.entries(item as Record<string, unknown>).sort(([left], [right]) =>
          left < right ? -1 : left > right ? 1 : 0,
        ),
      );
    }
    return item;
  });
}

/** A 64-bit-ish FNV-1a based fingerprint of a command and its request, as hex. */
export function fingerprint(command: string, request: unknown): string {
  const text = `${command}\u0000${canonicalJson(request)}`;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ code, 0x5bd1e995) >>> 0;
  }
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}:${text.length}`;
}

/** Serialises a result keeping Dates as Dates across the round trip. */
export function serializeResult(value: unknown): string {
  return JSON.stringify(value, function replace(this: Record<string, unknown>, key, item: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : item;
  });
}

/** The inverse of {@link serializeResult}. */
export function deserializeResult<T>(text: string): T {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === '$date' && typeof record.$date === 'string') {
        return new Date(record.$date);
      }
    }
    return item;
  }) as T;
}

/**
 * Contexts whose key was looked up, and not found, just before the command was queued: their
 * in-transaction lookup is skipped. A record stored meanwhile by another process still makes
 * `storeIdempotency` fail (unique key), which forgets the mark and retries into a replay.
 */
const checkedFresh = new WeakSet<ChangeContext>();

/** Marks a context whose key was just found absent (see `KeyedCommands`). */
export function markCheckedFresh(context: ChangeContext): void {
  checkedFresh.add(context);
}

/** What an idempotency lookup found. */
export type IdempotencyLookup<T> =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'replay'; readonly result: T }
  | { readonly kind: 'conflict'; readonly error: IdempotencyConflictError };

/**
 * Looks a command's key up in the transaction.
 * - no key in the context, or no record: `fresh`;
 * - a record with the same fingerprint: `replay` with the first result;
 * - a record with another fingerprint: `conflict`.
 */
export async function lookupIdempotency<T>(
  transaction: StockTransaction,
  context: ChangeContext,
  print: string,
): Promise<IdempotencyLookup<T>> {
  if (!context.idempotencyKey || checkedFresh.has(context)) return { kind: 'fresh' };
  const record = await transaction.idempotency.get(
    context.idempotencyScope ?? DEFAULT_IDEMPOTENCY_SCOPE,
    context.idempotencyKey,
  );
  if (!record) return { kind: 'fresh' };
  if (record.fingerprint !== print) {
    return { kind: 'conflict', error: new IdempotencyConflictError(context.idempotencyKey) };
  }
  return { kind: 'replay', result: deserializeResult<T>(record.result) };
}

/**
 * Stores a command's result under its key in the same transaction as its effects.
 * @throws VERSION_CONFLICT (retryable) when a concurrent transaction stored the key first; the
 *   retry then finds that record and replays it
 */
export async function storeIdempotency(
  transaction: StockTransaction,
  context: ChangeContext,
  print: string,
  result: unknown,
  now: Date,
): Promise<void> {
  if (!context.idempotencyKey) return;
  const outcome = await transaction.idempotency.put({
    scope: context.idempotencyScope ?? DEFAULT_IDEMPOTENCY_SCOPE,
    key: context.idempotencyKey,
    fingerprint: print,
    result: serializeResult(result),
    createdAt: now,
  });
  if (!outcome.applied) {
    checkedFresh.delete(context);
    throw new VersionConflictError('Idempotency key stored concurrently', { retryable: true });
  }
}

/**
 * Runs one keyed command inside `transaction`: replays a stored result, refuses a reused key,
 * or runs `work` and stores its result.
 */
export async function runIdempotent<T>(
  transaction: StockTransaction,
  context: ChangeContext,
  command: string,
  request: unknown,
  now: Date,
  work: () => Promise<T>,
): Promise<T> {
  if (!context.idempotencyKey) return work();
  const print = fingerprint(command, request);
  const found = await lookupIdempotency<T>(transaction, context, print);
  if (found.kind === 'conflict') throw found.error;
  if (found.kind === 'replay') {
    context.onReplay?.();
    return found.result;
  }
  const result = await work();
  await storeIdempotency(transaction, context, print, result, now);
  return result;
}
