/**
 * Prefixes of generated ids, so an id says what it names.
 */
export const IdPrefix = {
  reservation: 'res',
  movement: 'mov',
  transfer: 'trf',
  event: 'evt',
  alert: 'alr',
} as const;

/** One of the id kinds. */
export type IdKind = keyof typeof IdPrefix;

/** Limits shared by every input: SKUs and ids are 1–128 printable characters. */
export const MAX_ID_LENGTH = 128;
/** The largest quantity one command may carry. */
export const MAX_QUANTITY = 1_000_000_000;

const printable =
  /^[\x21-\x7e\u00a0-\uffff](?:[\x20-\x7e\u00a0-\uffff]*[\x21-\x7e\u00a0-\uffff])?$/;

/** True for 1–128 printable characters with no leading or trailing space. */
export function isValidId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_ID_LENGTH &&
    printable.test(value)
  );
}
