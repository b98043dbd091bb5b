import {
  isStockroomError,
  StoreUnavailableError,
  ValidationError,
  VersionConflictError,
} from '@stockroom/core';

// The one place that reads driver error fields. Everything else branches on core error codes.
//
// SQLSTATE classes used (https://www.postgresql.org/docs/current/errcodes-appendix.html):
//   40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available
//     → retryable VERSION_CONFLICT (the core's retry policy runs the transaction again);
//   23505 unique_violation where the adapter expected none (inserts that may race use
//     ON CONFLICT) → retryable VERSION_CONFLICT: a concurrent transaction wrote the same key,
//     and the retry will see it;
//   23514 check_violation → VALIDATION_FAILED (a quantity would have gone negative);
//   42P01 undefined_table, 3F000 invalid_schema_name → STORE_UNAVAILABLE saying how to migrate
//     (the store was used on a schema that was never migrated);
//   08xxx connection exceptions, 57P01–57P03 shutdown / cannot connect now, 53xxx insufficient
//     resources (too many connections, disk full), 58xxx system errors, 28xxx bad credentials,
//     3D000 unknown database, 57014 statement timeout, 40003 (CockroachDB: commit outcome
//     unknown) → STORE_UNAVAILABLE.
// Node socket errors (ECONNREFUSED, ECONNRESET, …) and the pg driver's own errors that carry no
// SQLSTATE (connection terminated, pool ended, connect timeout) → STORE_UNAVAILABLE.

const SQLSTATE = /^[0-9A-Z]{5}$/;

const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '3D000', '40003']);
const UNAVAILABLE_CLASSES = new Set(['08', '53', '58', '28']);

function fieldOf(error: unknown, field: string): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The SQLSTATE of a PostgreSQL error, or undefined. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = fieldOf(error, 'code');
  return code !== undefined && SQLSTATE.test(code) ? code : undefined;
}

/**
 * Turns a driver error into the core's typed error; returns anything else unchanged.
 *
 * @param options.fromDriver the error came straight out of `pool.connect()` or
 *   `client.query()`, so a plain `Error` without a SQLSTATE is a connection-level failure
 */
export function translatePostgresError(
  error: unknown,
  options: { readonly fromDriver?: boolean } = {},
): unknown {
  if (isStockroomError(error)) return error;
  const state = sqlStateOf(error);
  if (state !== undefined) {
    const constraint = fieldOf(error, 'constraint');
    switch (state) {
      case '40001':
      case '40P01':
      case '55P03':
        return new VersionConflictError(
          `PostgreSQL refused the transaction (SQLSTATE ${state}); it may be retried`,
          { retryable: true },
          { cause: error },
        );
      case '23505':
        return new VersionConflictError(
          `A concurrent transaction wrote the same key${constraint ? ` (${constraint})` : ''}`,
          { retryable: true },
          { cause: error },
        );
      case '42P01':
      case '3F000':
        // undefined_table / invalid_schema_name: the schema was never migrated.
        return new StoreUnavailableError(
          `The stockroom tables do not exist (SQLSTATE ${state}: ${messageOf(error)}): migrate the schema first — create the store with migrate: true (the default) or run migrateToLatest({ connectionString, schema }) at deploy time`,
          { cause: error },
        );
      case '23514':
        return new ValidationError(
          [{ path: constraint ?? 'check', message: 'the change violates a CHECK constraint' }],
          { cause: error },
        );
    }
    if (UNAVAILABLE_STATES.has(state) || UNAVAILABLE_CLASSES.has(state.slice(0, 2))) {
      return new StoreUnavailableError(`PostgreSQL is unavailable (SQLSTATE ${state})`, {
        cause: error,
      });
    }
    return error;
  }
  const code = fieldOf(error, 'code');
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    return new StoreUnavailableError(`PostgreSQL cannot be reached (${code})`, { cause: error });
  }
  if (
    options.fromDriver &&
    error instanceof Error &&
    Object.getPrototypeOf(error) === Error.prototype
  ) {
    return new StoreUnavailableError('The PostgreSQL connection failed', { cause: error });
  }
  return error;
}
