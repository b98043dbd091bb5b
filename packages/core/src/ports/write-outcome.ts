/**
 * The outcome of a guarded write. Writes report a lost race as data; the core decides whether
 * to roll back and retry.
 */
export type WriteOutcome = { readonly applied: true } | { readonly applied: false };
