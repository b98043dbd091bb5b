import type { IncomingHttpHeaders } from 'node:http';
import type { ChangeContext } from '@stockroom/core';
import type { Principal } from './auth.js';
import { idempotencyKeyOf } from './idempotency.js';
import { API_BASE } from './openapi.js';
import { HttpProblem } from './problem-details.js';
import type { CallContext, Route } from './routes/define-route.js';

/** What a route call needs of the request, however it was read (Express or the direct path). */
export interface RouteRequest {
  readonly principal: Principal;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly params: unknown;
  readonly query: unknown;
  /** The parsed JSON body; undefined when none was sent or it was not JSON. */
  readonly body: unknown;
  /** True when a body was sent that is not JSON (checked only for routes that take a body). */
  readonly sentOtherThanJson: () => boolean;
}

/** A route's success answer. */
export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Answered from an Idempotency-Key's stored result (`Idempotent-Replayed: true`). */
  readonly replayed: boolean;
}

/**
 * Runs one API route the way every path into it must: the role check, the Idempotency-Key
 * (malformed → 400 on every method; only POSTs replay by it), a body that is not JSON, the
 * route's validation, its handler, and (with `checkResponses`) the success body against its
 * schema. Throws what the route throws (HttpProblem, core errors) for the error answer.
 * @throws HttpProblem FORBIDDEN, VALIDATION_FAILED
 */
export async function callRoute(
  route: Route,
  request: RouteRequest,
  checkResponses: boolean,
): Promise<RouteAnswer> {
  const { principal } = request;
  if (!route.roles.includes(principal.role)) {
    throw new HttpProblem(
      'FORBIDDEN',
      `The ${principal.role} role may not ${route.method.toUpperCase()} ${API_BASE}${route.path}; it needs ${route.roles.join(' or ')}`,
    );
  }
  const sentKey = idempotencyKeyOf(request);
  const key = route.method === 'post' ? sentKey : undefined;
  if (route.body && request.body === undefined && request.sentOtherThanJson()) {
    throw new HttpProblem('VALIDATION_FAILED', 'The body must be JSON', {
      errors: [{ path: 'body', message: 'must be JSON sent with Content-Type: application/json' }],
    });
  }
  const input = route.parse({ params: request.params, query: request.query, body: request.body });
  const { actor } = principal;
  // Only a command with a key can be answered from its idempotency record: without one, no
  // `onReplay` (and no closure made for the request).
  if (key === undefined) {
    const call: CallContext = { principal, requestId: request.requestId, change: { actor } };
    return answer(route, await route.run(input, call), false, checkResponses);
  }
  let replayed = false;
  const onReplay = () => {
    replayed = true;
  };
  const change: ChangeContext = {
    actor,
    idempotencyKey: key,
    idempotencyScope: principal.keyId,
    onReplay,
  };
  const call: CallContext = { principal, requestId: request.requestId, change };
  const body = await route.run(input, call);
  return answer(route, body, replayed, checkResponses);
}

/** The success answer, its body checked against the route's schema with `checkResponses`. */
function answer(
  route: Route,
  body: unknown,
  replayed: boolean,
  checkResponses: boolean,
): RouteAnswer {
  if (checkResponses) {
    const check = route.success.schema.safeParse(body);
    if (!check.success) {
      throw new Error(
        `${route.operationId} answered a body its schema rejects: ${check.error.message}`,
      );
    }
  }
  return { status: route.success.status, body, replayed };
}
