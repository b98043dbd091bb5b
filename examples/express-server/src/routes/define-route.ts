import type { ChangeContext } from '@stockroom/core';
import type { z } from 'zod';
import type { Principal, Role } from '../auth.js';
import type { ProblemCode, ProblemIssue } from '../problem-details.js';
import { HttpProblem } from '../problem-details.js';

/** What a handler knows about the call besides its input. */
export interface CallContext {
  readonly principal: Principal;
  readonly requestId: string;
  /**
   * The change context for core commands: actor, and with an Idempotency-Key the key scoped to
   * the API key and an `onReplay` that marks the response as replayed.
   */
  readonly change: ChangeContext;
}

/** The raw parts of a request a route validates. */
export interface RawInput {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
}

/** The validated parts. */
export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

interface RouteShape {
  /** A unique, stable operation id (used in OpenAPI and in idempotency fingerprints). */
  readonly operationId: string;
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The Express path under `/api/v1`, e.g. `/warehouses/:id`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** Roles allowed to call it. */
  readonly roles: readonly Role[];
  readonly success: {
    readonly status: 200 | 201;
    readonly description: string;
    readonly schema: z.ZodType;
  };
  /** Failure codes worth documenting beyond the ones every route has. */
  readonly failures: readonly ProblemCode[];
  /** The body size limit. @default '1mb' */
  readonly bodyLimit?: '1mb' | '16mb';
}

/** A route as written: schemas plus a typed handler. */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> extends RouteShape {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * A hand check for the body's common forms, for speed: returns exactly what `body` would parse
   * the value to, or undefined for anything it does not read itself (then `body` decides, with
   * its errors). It must never accept a value `body` rejects.
   */
  readonly plainBody?: (value: unknown) => z.output<B> | undefined;
  /** Handles validated input; returns the success body. Throws core errors or HttpProblem. */
  handle(
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
    call: CallContext,
  ): Promise<unknown>;
}

/** A route with its types erased, as the app and the OpenAPI generator use it. */
export interface Route extends RouteShape {
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  /**
   * Validates the raw input; every problem of params, query and body is reported at once.
   * @throws HttpProblem VALIDATION_FAILED
   */
  parse(raw: RawInput): RouteInput<unknown, unknown, unknown>;
  /** Runs the handler on parsed input. */
  run(input: RouteInput<unknown, unknown, unknown>, call: CallContext): Promise<unknown>;
}

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

function list(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

function bound(issue: { readonly origin?: string }, limit: number | bigint): string {
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `${limit} item${Number(limit) === 1 ? '' : 's'}`;
  }
  if (issue.origin === 'string') return `${limit} character${Number(limit) === 1 ? '' : 's'}`;
  return String(limit);
}

/**
 * The API's own wording for every kind of validation failure, so a client never reads a
 * validator's text. Schemas that give a message of their own (ids, quantities) keep it: zod
 * prefers a schema's message to this map.
 */
export function apiErrorMessage(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return `must be at least ${bound(issue, issue.minimum)}`;
    case 'too_big':
      return `must be at most ${bound(issue, issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'must be an ISO-8601 UTC time such as 2026-01-01T12:00:00Z'
        : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${list(issue.values)}`;
    case 'invalid_union': {
      const options = (issue as { readonly options?: readonly unknown[] }).options;
      return options ? `must be one of ${list(options)}` : 'does not match any accepted form';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    default:
      return 'is invalid';
  }
}

function issuesOf(error: z.ZodError): ProblemIssue[] {
  const issues: ProblemIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ path: path ? `${path}.${key}` : key, message: 'is not a known field' });
      }
    } else {
      issues.push({ path: path || 'body', message: issue.message });
    }
  }
  // One message per field: checks that fail for one reason (an id too long and not valid) say it once.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const PARSE_OPTIONS = { reportInput: true, error: apiErrorMessage } as const;

function parsePart(schema: z.ZodType | undefined, value: unknown, issues: ProblemIssue[]): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value, PARSE_OPTIONS);
  if (result.success) return result.data;
  issues.push(...issuesOf(result.error));
  return undefined;
}

/** Declares a route: its contract (for validation and OpenAPI) and its handler. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): Route {
  return {
    ...spec,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    parse(raw) {
      const issues: ProblemIssue[] = [];
      const params = parsePart(spec.params, raw.params, issues);
      const query = parsePart(spec.query, raw.query ?? {}, issues);
      const body = spec.plainBody?.(raw.body) ?? parsePart(spec.body, raw.body, issues);
      if (issues.length > 0) {
        throw new HttpProblem(
          'VALIDATION_FAILED',
          `The request is invalid: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
          { errors: issues },
        );
      }
      return { params, query, body };
    },
    run(input, call) {
      return spec.handle(input as RouteInput<z.output<P>, z.output<Q>, z.output<B>>, call);
    },
  };
}

/** Roles that may call every GET. */
export const ANY_ROLE: readonly Role[] = ['admin', 'storefront', 'readonly'];
/** Roles that may hold and settle stock. */
export const STOREFRONT: readonly Role[] = ['admin', 'storefront'];
/** Admin only. */
export const ADMIN: readonly Role[] = ['admin'];
