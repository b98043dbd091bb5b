import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DisplayStrategy } from '@stockroom/core';
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem-details.js';

/** The roles an API key may have. */
export const ROLES = ['admin', 'storefront', 'readonly'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** Who is calling: the API key's id (never the key itself) and its role. */
export interface Principal {
  /** A stable, non-secret id of the key: `key_` and 12 hex digits of its SHA-256. */
  readonly keyId: string;
  readonly role: Role;
  /** What the ledger records as `actor`. */
  readonly actor: string;
  /** The sales channel a bound key is limited to (see channel-access.ts). */
  readonly channelId?: string;
  /** How a bound key is shown quantities. */
  readonly display?: DisplayStrategy;
}

/** An API key and its role, as configured. */
export interface ApiKeyEntry {
  readonly key: string;
  readonly role: Role;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The id under which a key's idempotency records and rate-limit counters are kept. */
export function keyIdOf(key: string): string {
  return `key_${digest(key).slice(0, 12)}`;
}

/** How many `Authorization` values of configured keys {@link ApiKeyRing} remembers. */
const RECENT_HEADERS = 256;

/** The configured keys, looked up by their SHA-256 so no comparison runs over the secret. */
export class ApiKeyRing {
  private readonly byDigest = new Map<string, Principal>();
  /** Header values that named a configured key (at most {@link RECENT_HEADERS}). */
  private readonly recent = new Map<string, Principal>();

  constructor(entries: readonly ApiKeyEntry[]) {
    for (const entry of entries) {
      const keyId = keyIdOf(entry.key);
      this.byDigest.set(digest(entry.key), {
        keyId,
        role: entry.role,
        actor: `api-key:${keyId}`,
      });
    }
  }

  /** How many keys there are. */
  get size(): number {
    return this.byDigest.size;
  }

  /**
   * True when `text` holds a configured key anywhere: alone, after a scheme (`Bearer`, `Token`),
   * or base64-encoded as Basic credentials. Used to keep keys out of logs.
   */
  containsKey(text: string): boolean {
    if (text.length < 16) return false;
    const candidates = new Set<string>([text]);
    for (const word of text.split(/[\s,;:=]+/)) {
      if (word.length >= 16) candidates.add(word);
      if (word.length >= 20 && /^[A-Za-z0-9+/]+=*$/.test(word)) {
        for (const part of Buffer.from(word, 'base64').toString('utf8').split(':')) {
          candidates.add(part);
        }
      }
    }
    for (const candidate of candidates) {
      if (this.byDigest.has(digest(candidate))) return true;
    }
    return false;
  }

  /** The principal of an `Authorization` header value, or undefined. */
  authenticate(header: string | undefined): Principal | undefined {
    if (!header) return undefined;
    // The configured keys never change: a header that named one is looked up without hashing.
    const known = this.recent.get(header);
    if (known) return known;
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
    if (!match?.[1]) return undefined;
    const principal = this.byDigest.get(digest(match[1]));
    if (principal) {
      if (this.recent.size >= RECENT_HEADERS) this.recent.clear();
      this.recent.set(header, principal);
    }
    return principal;
  }
}

/** The file, in the data directory, that keeps the generated admin key. */
export const ADMIN_KEY_FILE = 'admin-api-key';

/**
 * The admin key used when no keys are configured: read from the data directory, or generated
 * there (mode 0600) on first start. `created` tells the caller to print it, once.
 */
export async function ensureAdminKey(
  dataDir: string,
): Promise<{ key: string; created: boolean; path: string }> {
  const path = join(dataDir, ADMIN_KEY_FILE);
  try {
    const key = (await readFile(path, 'utf8')).trim();
    if (key.length > 0) return { key, created: false, path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = `sk_admin_${randomBytes(24).toString('base64url')}`;
  // `wx` fails if another process created the file meanwhile; then use theirs.
  try {
    await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: (await readFile(path, 'utf8')).trim(), created: false, path };
  }
  return { key, created: true, path };
}

/**
 * Middleware: resolves the `Authorization: Bearer <key>` header to a principal
 * (`res.locals.principal`) or answers 401.
 */
export function authenticate(keys: ApiKeyRing) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const principal = keys.authenticate(request.get('authorization'));
    if (!principal) {
      next(
        new HttpProblem(
          'UNAUTHORIZED',
          request.get('authorization')
            ? 'The API key is not valid'
            : 'Send an API key as "Authorization: Bearer <key>"',
          {},
          { 'WWW-Authenticate': 'Bearer realm="stockroom"' },
        ),
      );
      return;
    }
    response.locals.principal = principal;
    next();
  };
}

/** The principal `authenticate` stored on the response. */
export function principalOf(response: Response): Principal {
  const principal = response.locals.principal as Principal | undefined;
  if (!principal)
    throw new HttpProblem('UNAUTHORIZED', 'Send an API key as "Authorization: Bearer <key>"');
  return principal;
}
