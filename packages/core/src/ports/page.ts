/** A request for one page of a listing. */
export interface PageRequest {
  /** 1–1000. @default 100 */
  readonly limit?: number;
  /** The `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string | null;
}

/** One page of a listing. `nextCursor` is `null` on the last page. Cursors are opaque. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
