import type { IdKind } from '../domain/ids.js';

/** Where ids come from; the default makes time-ordered UUIDv7-style ids with a kind prefix. */
export interface IdGenerator {
  next(kind: IdKind): string;
}
