import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The roles an API key may have (as the server defines them). */
export const API_KEY_ROLES = ['admin', 'storefront', 'readonly'] as const;

/** One of {@link API_KEY_ROLES}. */
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** The file, in the server's data directory, that `stockroom keys` manages and the server reads. */
export const API_KEY_FILE = 'api-keys.json';

/** One stored key: never the key itself, only its SHA-256. */
export interface StoredApiKey {
  /** `key_` and the first 12 hex digits of the key's SHA-256: what logs and `keys revoke` use. */
  readonly id: string;
  readonly role: ApiKeyRole;
  /** A label for people (`checkout`, `ci`). */
  readonly name: string;
  /** Hex SHA-256 of the key. */
  readonly sha256: string;
  readonly createdAt: string;
  /** When it was revoked; a revoked key is kept so its id stays explained. */
  readonly revokedAt: string | null;
}

/** The file's shape (version 1). */
export interface ApiKeyFile {
  readonly version: 1;
  readonly keys: readonly StoredApiKey[];
}

/** Hex SHA-256 of a key. */
export function sha256Of(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The stable, non-secret id of a key (the server's `keyId`). */
export function apiKeyIdOf(key: string): string {
  return `key_${sha256Of(key).slice(0, 12)}`;
}

/** The key file's path in a data directory. */
export function apiKeyFilePath(dataDir: string): string {
  return join(dataDir, API_KEY_FILE);
}

/** A malformed key file (the message says where). */
export class ApiKeyFileError extends Error {
  override readonly name = 'ApiKeyFileError';
}

/** Reads a key file; a missing file holds no keys. @throws ApiKeyFileError when malformed */
export async function readApiKeyFile(path: string): Promise<ApiKeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
    throw error;
  }
  return parseApiKeyFile(text, path);
}

/** Parses a key file's text. @throws ApiKeyFileError when malformed */
export function parseApiKeyFile(text: string, path = API_KEY_FILE): ApiKeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiKeyFileError(`${path} is not valid JSON`);
  }
  const file = parsed as { version?: unknown; keys?: unknown };
  if (typeof parsed !== 'object' || parsed === null || file.version !== 1) {
    throw new ApiKeyFileError(`${path} must be an object with "version": 1`);
  }
  if (!Array.isArray(file.keys)) throw new ApiKeyFileError(`${path}: "keys" must be an array`);
  const keys = file.keys.map((entry: unknown, index): StoredApiKey => {
    const key = entry as Partial<Record<keyof StoredApiKey, unknown>>;
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      typeof key.id === 'string' &&
      typeof key.name === 'string' &&
      typeof key.createdAt === 'string' &&
      (key.revokedAt === null || typeof key.revokedAt === 'string') &&
      typeof key.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(key.sha256) &&
      API_KEY_ROLES.includes(key.role as ApiKeyRole);
    if (!valid) throw new ApiKeyFileError(`${path}: keys[${index}] is not a valid key entry`);
    return key as StoredApiKey;
  });
  return { version: 1, keys };
}

async function writeApiKeyFile(path: string, file: ApiKeyFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Write then rename: a server reading the file never sees half of it.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** Creates a key; the returned `key` is shown once and never stored. */
export async function createApiKey(
  path: string,
  request: { readonly role: ApiKeyRole; readonly name?: string; readonly now?: Date },
): Promise<{ readonly key: string; readonly entry: StoredApiKey }> {
  const file = await readApiKeyFile(path);
  const key = `sk_${request.role}_${randomBytes(24).toString('base64url')}`;
  const entry: StoredApiKey = {
    id: apiKeyIdOf(key),
    role: request.role,
    name: request.name ?? '',
    sha256: sha256Of(key),
    createdAt: (request.now ?? new Date()).toISOString(),
    revokedAt: null,
  };
  await writeApiKeyFile(path, { version: 1, keys: [...file.keys, entry] });
  return { key, entry };
}

/**
 * Revokes a key by id (the server refuses it within a second). Revoking a revoked key changes
 * nothing. @returns the entry, or undefined when no key has that id
 */
export async function revokeApiKey(
  path: string,
  id: string,
  now = new Date(),
): Promise<StoredApiKey | undefined> {
  const file = await readApiKeyFile(path);
  const found = file.keys.find((key) => key.id === id);
  if (!found) return undefined;
  if (found.revokedAt !== null) return found;
  const revoked: StoredApiKey = { ...found, revokedAt: now.toISOString() };
  await writeApiKeyFile(path, {
    version: 1,
    keys: file.keys.map((key) => (key.id === id ? revoked : key)),
  });
  return revoked;
}
