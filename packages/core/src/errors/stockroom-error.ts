import type { ErrorCode } from './error-codes.js';

const marker = Symbol.for('stockroom.error');

/** Options every stockroom error accepts. */
export interface StockroomErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  readonly cause?: unknown;
}

/**
 * Base class of every error stockroom throws on purpose. Each subclass has a stable `code`.
 * Use {@link isStockroomError} rather than `instanceof` when two copies of the package may be
 * loaded (the ESM + CJS dual-package hazard).
 */
export abstract class StockroomError extends Error {
  /** The stable code; see `ErrorCode`. */
  abstract readonly code: ErrorCode;
  /** Whether repeating the same call may succeed (a conflict, a busy store). */
  readonly retryable: boolean = false;
  readonly [marker] = true;

  protected constructor(message: string, options: StockroomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** A plain JSON shape with the code, message and the subclass's typed fields. */
  toJSON(): Record<string, unknown> {
    const { stack: _stack, cause: _cause, ...fields } = this as unknown as Record<string, unknown>;
    return { ...fields, name: this.name, code: this.code, message: this.message };
  }
}

/** True when `value` is an error thrown by any copy of `@stockroom/core`. */
export function isStockroomError(value: unknown): value is StockroomError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[marker] === true
  );
}
