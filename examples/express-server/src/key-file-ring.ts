import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { apiKeyFilePath, parseApiKeyFile, type StoredApiKey } from '@stockroom/cli';
import type { Logger } from '@stockroom/core';
import { type ApiKeyEntry, ApiKeyRing, type Principal } from './auth.js';

/** How often, at most, the key file's modification time is checked. */
const CHECK_EVERY_MS = 1000;

/**
 * The configured keys plus the ones `stockroom keys create` keeps in `<dataDir>/api-keys.json`
 * (SHA-256 only). The file is re-read when it changes (checked at most once a second), so a
 * created key works and a revoked key is refused within a second, without a restart. A file that
 * cannot be read keeps the keys read before (and logs why).
 */
export class FileBackedApiKeyRing extends ApiKeyRing {
  private readonly path: string;
  private fileKeysByDigest = new Map<string, Principal>();
  private fileCheckedAt = 0;
  private fileVersion = '';

  constructor(
    entries: readonly ApiKeyEntry[],
    dataDir: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super(entries);
    this.path = apiKeyFilePath(dataDir);
    this.refresh(true);
  }

  /** How many keys of the file are in force. */
  get fileKeys(): number {
    return this.fileKeysByDigest.size;
  }

  override authenticate(header: string | undefined): Principal | undefined {
    const configured = super.authenticate(header);
    if (configured) return configured;
    if (!header) return undefined;
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
    if (!match?.[1]) return undefined;
    this.refresh(false);
    return this.fileKeysByDigest.get(createHash('sha256').update(match[1]).digest('hex'));
  }

  private refresh(force: boolean): void {
    const now = this.now();
    if (!force && now - this.fileCheckedAt < CHECK_EVERY_MS) return;
    this.fileCheckedAt = now;
    let version: string;
    try {
      const stats = statSync(this.path);
      version = `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(
          { err: error, file: this.path },
          'API key file unreadable; keeping the keys read before',
        );
        return;
      }
      version = 'absent';
    }
    if (version === this.fileVersion) return;
    try {
      const keys =
        version === 'absent'
          ? []
          : parseApiKeyFile(readFileSync(this.path, 'utf8'), this.path).keys;
      this.fileKeysByDigest = new Map(
        keys
          .filter((key: StoredApiKey) => key.revokedAt === null)
          .map((key: StoredApiKey) => [
            key.sha256,
            { keyId: key.id, role: key.role, actor: `api-key:${key.id}` },
          ]),
      );
      this.fileVersion = version;
    } catch (error) {
      this.logger.warn(
        { err: error, file: this.path },
        'API key file invalid; keeping the keys read before',
      );
    }
  }
}
