import {
  CartLimitExceededError,
  ErrorCode,
  isStockroomError,
  type StockLevel,
  type StockroomError,
} from '@stockroom/core';

/** Codes only the HTTP layer produces. */
export const HttpCode = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
} as const;

/** Every code a problem body may carry: the core's codes and the HTTP layer's. */
export type ProblemCode = ErrorCode | (typeof HttpCode)[keyof typeof HttpCode];

/** The one table mapping a code to its HTTP status and title. */
export const PROBLEM_TYPES: Readonly<Record<ProblemCode, { status: number; title: string }>> = {
  VALIDATION_FAILED: { status: 400, title: 'The request is invalid' },
  UNAUTHORIZED: { status: 401, title: 'A valid API key is required' },
  FORBIDDEN: { status: 403, title: "The API key's role does not allow this" },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ALREADY_EXISTS: { status: 409, title: 'It already exists' },
  INSUFFICIENT_STOCK: { status: 409, title: 'Not enough stock' },
  VERSION_CONFLICT: { status: 409, title: 'The version does not match' },
  INVALID_STATE: { status: 409, title: 'Not allowed in the current state' },
  CAPACITY_EXCEEDED: { status: 409, title: 'Capacity would be exceeded' },
  KIT_NOT_STOCKABLE: { status: 409, title: 'A kit is never stocked' },
  HISTORY_ARCHIVED: { status: 410, title: 'That part of the history is archived' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  CART_LIMIT_EXCEEDED: {
    status: 422,
    title: 'The quantity is outside the SKU’s per-cart limits',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'The idempotency key was used for another request',
  },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  STORE_UNAVAILABLE: { status: 503, title: 'The store is unavailable' },
};

/** One invalid field. */
export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

/** An RFC 9457 problem body, with stockroom's `code` and optional extensions. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  readonly errors?: readonly ProblemIssue[];
  readonly shortfalls?: readonly {
    readonly sku: string;
    readonly requested: number;
    /** Left out for a key shown levels only (see channel-access.ts). */
    readonly available?: number;
    readonly level?: StockLevel;
  }[];
  readonly failed?: readonly {
    readonly index: number;
    readonly code: string;
    readonly detail: string;
  }[];
  /** CART_LIMIT_EXCEEDED: the SKU, the broken limit and what was asked for. */
  readonly cartLimit?: {
    readonly sku: string;
    readonly limit: 'MIN' | 'MAX';
    readonly value: number;
    readonly requested: number;
  };
}

/** Extension members a problem may carry. */
export type ProblemExtensions = Pick<Problem, 'errors' | 'shortfalls' | 'failed' | 'cartLimit'>;

/** The `type` URI of a code: a reference into the API reference page. */
export function problemType(code: ProblemCode): string {
  return `/docs#problem-${code.toLowerCase().replaceAll('_', '-')}`;
}

/** The HTTP status of a code (500 for a code the table does not know). */
export function statusOf(code: string): number {
  return (PROBLEM_TYPES as Record<string, { status: number } | undefined>)[code]?.status ?? 500;
}

/**
 * An error the HTTP layer raises on purpose: it carries a code from {@link PROBLEM_TYPES},
 * optional extensions and optional response headers (`Retry-After`).
 */
export class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: ProblemExtensions = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

/**
 * An atomic bulk update that failed: nothing was applied. The problem carries the first
 * failure's code, with that code's status from {@link PROBLEM_TYPES} (so `status` and `code`
 * always agree), and every failure in `failed`.
 */
export function atomicBulkFailure(
  failed: readonly { readonly index: number; readonly code: string; readonly detail: string }[],
): HttpProblem {
  const first = failed[0];
  const code = (first && first.code in PROBLEM_TYPES ? first.code : 'INTERNAL') as ProblemCode;
  return new HttpProblem(
    code,
    `Nothing was applied: ${failed.length} item(s) failed; the first, at index ${first?.index}: ${first?.detail}`,
    {
      failed: failed.map(({ index, code: itemCode, detail }) => ({
        index,
        code: itemCode,
        detail,
      })),
    },
  );
}

/** Builds a problem body. */
export function problem(
  code: ProblemCode,
  detail: string,
  extensions: ProblemExtensions = {},
  instance?: string,
): Problem {
  const known = (PROBLEM_TYPES as Record<string, { status: number; title: string } | undefined>)[
    code
  ];
  const entry = known ?? PROBLEM_TYPES.INTERNAL;
  return {
    type: problemType(known ? code : 'INTERNAL'),
    title: entry.title,
    status: entry.status,
    detail,
    code: known ? code : 'INTERNAL',
    ...(instance === undefined ? {} : { instance }),
    ...extensions,
  };
}

function extensionsOf(error: StockroomError): ProblemExtensions {
  if (error.code === ErrorCode.VALIDATION_FAILED && 'issues' in error) {
    return {
      errors: (error.issues as readonly ProblemIssue[]).map(({ path, message }) => ({
        path,
        message,
      })),
    };
  }
  if (error.code === ErrorCode.INSUFFICIENT_STOCK && 'shortfalls' in error) {
    const shortfalls = error.shortfalls as readonly {
      sku: string;
      requested: number;
      available: number;
    }[];
    return {
      shortfalls: shortfalls.map(({ sku, requested, available }) => ({
        sku,
        requested,
        available,
      })),
    };
  }
  if (error instanceof CartLimitExceededError) {
    const { sku, limit, value, requested } = error;
    return { cartLimit: { sku, limit, value, requested } };
  }
  return {};
}

/**
 * Turns anything thrown while handling a request into a problem and its headers. Core errors
 * keep their code; anything unexpected becomes a 500 `INTERNAL` whose detail says nothing about
 * the failure (the log has it, under the request id).
 */
export function problemFromError(
  error: unknown,
  instance: string,
  requestId: string,
): { problem: Problem; headers: Readonly<Record<string, string>>; unexpected: boolean } {
  if (error instanceof HttpProblem) {
    return {
      problem: problem(error.code, error.detail, error.extensions, instance),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (isStockroomError(error)) {
    const body = problem(error.code, error.message, extensionsOf(error), instance);
    const headers: Record<string, string> =
      error.code === ErrorCode.STORE_UNAVAILABLE ? { 'Retry-After': '1' } : {};
    return { problem: body, headers, unexpected: body.code === 'INTERNAL' };
  }
  return {
    problem: problem(
      HttpCode.INTERNAL,
      `An unexpected error occurred (request id ${requestId})`,
      {},
      instance,
    ),
    headers: {},
    unexpected: true,
  };
}
