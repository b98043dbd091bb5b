import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** One invalid field: a dotted path into the input and what is wrong with it. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** The input is malformed; nothing was changed. */
export class ValidationError extends StockroomError {
  readonly code = ErrorCode.VALIDATION_FAILED;
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: StockroomErrorOptions) {
    super(
      `Invalid input: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      options,
    );
    this.issues = issues;
  }
}
