/**
 * Prefixes of generated ids, so an id says what it names.
 */
export const IdPrefix = {
  reservation: 'res',
  movement: 'mov',
  transfer: 'trf',
  event: 'evt',
  alert: 'alr',
  receipt: 'rcp',
} as const;

/** One of the id kinds. */
export type IdKind = keyof typeof IdPrefix;

/** Limits shared by every input: SKUs and ids are 1–128 printable characters. */
export const MAX_ID_LENGTH = 128;
/** The largest quantity one command may carry. */
export const MAX_QUANTITY = 1_000_000_000;

const printable =
  /^[\x21-\x7e\u00a0-\uffff](?:[\x20-\x7e\u00a0-\uffff]*[\x21-\x7e\u00a0-\uffff])?$/;

/** What {@link isValidId} accepts, in the words every validation message uses. */
export const ID_RULE = 'must be 1–128 printable characters of well-formed Unicode';

/** `String.prototype.isWellFormed` (Node 20+; typed here because the lib is ES2023). */
function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * True for 1–128 printable UTF-16 code units with no leading or trailing space that form
 * well-formed Unicode: a lone surrogate (`"X\ud800"`) is refused, since a store would save it as
 * U+FFFD and so merge it into another id.
 */
export function isValidId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_ID_LENGTH &&
    printable.test(value) &&
    isWellFormed(value)
  );
}
