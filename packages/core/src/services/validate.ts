import { ID_RULE, isValidId, MAX_QUANTITY } from '../domain/ids.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';

/** Collects validation issues, then throws them all at once. */
export class Validator {
  private readonly issues: ValidationIssue[] = [];

  /** An id or SKU: 1–128 printable characters of well-formed Unicode. */
  id(value: unknown, path: string): this {
    if (!isValidId(value)) this.issues.push({ path, message: ID_RULE });
    return this;
  }

  /** Like `id`, but `undefined` and `null` pass. */
  optionalId(value: unknown, path: string): this {
    return value === undefined || value === null ? this : this.id(value, path);
  }

  /** An integer in [min, max]. */
  integer(value: unknown, path: string, min: number, max: number): this {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.issues.push({ path, message: `must be an integer from ${min} to ${max}` });
    }
    return this;
  }

  /** A quantity: an integer 1…1,000,000,000. */
  quantity(value: unknown, path: string): this {
    return this.integer(value, path, 1, MAX_QUANTITY);
  }

  /** A signed non-zero quantity: ±1…1,000,000,000. */
  signedQuantity(value: unknown, path: string): this {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value === 0 ||
      Math.abs(value) > MAX_QUANTITY
    ) {
      this.issues.push({
        path,
        message: `must be a non-zero integer from -${MAX_QUANTITY} to ${MAX_QUANTITY}`,
      });
    }
    return this;
  }

  /** A finite number in [min, max]. */
  number(value: unknown, path: string, min: number, max: number): this {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.issues.push({ path, message: `must be a number from ${min} to ${max}` });
    }
    return this;
  }

  /** One of the given values. */
  oneOf(value: unknown, path: string, allowed: readonly string[]): this {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.issues.push({ path, message: `must be one of ${allowed.join(', ')}` });
    }
    return this;
  }

  /** Adds an issue when `condition` is false. */
  check(condition: boolean, path: string, message: string): this {
    if (!condition) this.issues.push({ path, message });
    return this;
  }

  /** @throws VALIDATION_FAILED with every issue found */
  done(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/** Starts a validation. */
export function validate(): Validator {
  return new Validator();
}
