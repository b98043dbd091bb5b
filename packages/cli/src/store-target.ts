import { resolve } from 'node:path';

/** Where a command's store is. */
export type StoreTarget =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/**
 * Reads a `--database` value (or `DATABASE_URL`): `postgres://…` / `postgresql://…` is
 * PostgreSQL; `sqlite:<file>` or a plain path is a SQLite file. Unset means the server's default,
 * `<dataDir>/stockroom.db`.
 */
export function parseStoreTarget(
  value: string | undefined,
  options: { readonly dataDir: string; readonly schema?: string },
): StoreTarget {
  const given = value?.trim();
  if (!given) return { kind: 'sqlite', filename: resolve(options.dataDir, 'stockroom.db') };
  if (/^postgres(ql)?:\/\//i.test(given)) {
    return {
      kind: 'postgres',
      url: given,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    };
  }
  if (given.startsWith('sqlite:')) return { kind: 'sqlite', filename: resolve(given.slice(7)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
    throw new UsageError(
      `--database must be a postgres:// URL, sqlite:<file> or a file path, not ${redactUrl(given)}`,
    );
  }
  return { kind: 'sqlite', filename: resolve(given) };
}

/** A URL without its password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Where a target is, for messages (no credentials). */
export function describeTarget(target: StoreTarget): string {
  return target.kind === 'sqlite'
    ? `sqlite: ${target.filename}`
    : `postgres: ${redactUrl(target.url)}`;
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
