import type { Transfer, TransferStatus } from '../domain/transfer.js';
import type { Page, PageRequest } from './page.js';
import type { WriteOutcome } from './write-outcome.js';

/** Filters for transfer listings. */
export interface TransferFilter {
  readonly status?: TransferStatus;
  /** Transfers from or to this warehouse. */
  readonly warehouseId?: string;
}

/** Transfers inside a transaction. */
export interface TransferRows {
  /**
   * One transfer, or null. With `lock`, locked until the transaction ends.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(id: string, options?: { readonly lock?: boolean }): Promise<Transfer | null>;
  /**
   * Inserts a new transfer.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable; also when the id exists already)
   */
  insert(transfer: Transfer): Promise<void>;
  /**
   * Stores `next` where the stored version equals `expectedVersion`; `{ applied: false }` otherwise.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  update(next: Transfer, expectedVersion: number): Promise<WriteOutcome>;
}

/** Transfers outside transactions (possibly from a replica). */
export interface TransferReads {
  /**
   * One transfer, or null.
   * @throws STORE_UNAVAILABLE
   */
  transfer(id: string): Promise<Transfer | null>;
  /**
   * Transfers, newest first, paged.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  transfers(filter: TransferFilter, page: PageRequest): Promise<Page<Transfer>>;
}
