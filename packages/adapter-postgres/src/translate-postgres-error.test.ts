import { describe, expect, it } from 'vitest';
import { translatePostgresError } from './translate-postgres-error.js';

// Driver errors as pg shapes them: an Error with a SQLSTATE `code` (and `constraint`), or a
// Node socket error with an errno `code`.
function databaseError(code: string, constraint?: string): Error {
  return Object.assign(new Error(`database error ${code}`), {
    code,
    constraint,
    severity: 'ERROR',
  });
}

describe('translatePostgresError', () => {
  it.each(['40001', '40P01', '55P03'])('%s → retryable VERSION_CONFLICT with the cause', (code) => {
    const cause = databaseError(code);
    const error = translatePostgresError(cause);
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true, cause });
  });

  it('23505 → retryable VERSION_CONFLICT naming the constraint', () => {
    const error = translatePostgresError(databaseError('23505', 'stock_key'));
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
    expect((error as Error).message).toContain('stock_key');
  });

  it('23514 → VALIDATION_FAILED on the violated constraint', () => {
    expect(translatePostgresError(databaseError('23514', 'stock_available_check'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'stock_available_check' }],
    });
  });

  it.each(['08006', '08001', '57P01', '57P03', '53300', '57014', '3D000', '28P01', '40003'])(
    '%s → STORE_UNAVAILABLE',
    (code) => {
      expect(translatePostgresError(databaseError(code))).toMatchObject({
        code: 'STORE_UNAVAILABLE',
        retryable: true,
      });
    },
  );

  it('socket errors → STORE_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(translatePostgresError(refused)).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('a bare driver Error is a lost connection only when it came from the driver', () => {
    const bare = new Error('Connection terminated unexpectedly');
    expect(translatePostgresError(bare, { fromDriver: true })).toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect(translatePostgresError(bare)).toBe(bare);
    const bug = new TypeError('x is undefined');
    expect(translatePostgresError(bug, { fromDriver: true })).toBe(bug);
  });

  it('leaves other SQLSTATEs and stockroom errors untouched', () => {
    const syntax = databaseError('42601');
    expect(translatePostgresError(syntax)).toBe(syntax);
    const conflict = translatePostgresError(databaseError('40001'));
    expect(translatePostgresError(conflict)).toBe(conflict);
  });
});
