import type { NextFunction, Request, Response, Router } from 'express';

/** A route's handler as the app registers it with Express. */
export type RouteHandler = (request: Request, response: Response) => Promise<void>;

/** What the dispatcher needs of a route: its method and its Express path. */
export interface DispatchedRoute {
  readonly method: string;
  readonly path: string;
}

/** A path made only of literal segments and `:name` parameters (all the API's routes are). */
const SIMPLE_PATH = /^(\/(:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~-]+))+$/;

function isStatic(path: string): boolean {
  return SIMPLE_PATH.test(path) && !path.includes(':');
}

/**
 * True when Express could match `pattern` (registered earlier) for the literal `path`: Express
 * matches case-insensitively and a `:name` segment takes any non-empty segment. A pattern this
 * check cannot read is assumed to match (so the path keeps Express's own routing).
 */
function mayShadow(pattern: string, path: string): boolean {
  if (!SIMPLE_PATH.test(pattern)) return true;
  const wanted = pattern.split('/');
  const given = path.split('/');
  if (wanted.length !== given.length) return false;
  return wanted.every(
    (segment, index) =>
      segment.startsWith(':') || segment.toLowerCase() === given[index]?.toLowerCase(),
  );
}

/**
 * The routes a request may be given by an exact lookup, as `METHOD /path` → index in `routes`:
 * parameterless paths that no route before them could match (where Express would pick the
 * same route for that method and exact path).
 */
export function exactRouteKeys(routes: readonly DispatchedRoute[]): ReadonlyMap<string, number> {
  const byKey = new Map<string, number>();
  routes.forEach((route, index) => {
    if (!isStatic(route.path)) return;
    const method = route.method.toUpperCase();
    const shadowed = routes
      .slice(0, index)
      .some(
        (earlier) => earlier.method.toUpperCase() === method && mayShadow(earlier.path, route.path),
      );
    if (!shadowed) byKey.set(`${method} ${route.path}`, index);
  });
  return byKey;
}

/** What {@link fastRouteDispatch} returns. */
export interface FastRouteDispatch {
  /**
   * Records the handler of the next route (in the order of `routes`) and returns it, for the
   * caller to register with Express as well: `api.get(path, fast.add(handler))`.
   */
  add(handler: RouteHandler): RouteHandler;
}

/**
 * A router-level fast path for the API's parameterless routes: one map lookup by method and
 * exact path instead of Express's walk over every registered route (each a regular expression
 * and a `next()` hop). It serves a request only when Express would have chosen the same handler:
 * the method and path equal a route's exactly (no trailing slash, same case, GET/POST/PUT/PATCH
 * only — HEAD and OPTIONS keep Express's handling) and no route registered before it could match
 * that path. Everything else calls `next()` and goes through the Express routes, unchanged.
 *
 * Registers its middleware on `router` at once: middleware every route needs must be registered
 * before, and every route of the router must be in `routes` (a route registered on the router
 * between this middleware and the routes could be bypassed). Handlers get what Express gives a
 * parameterless route: `request.params` is `{}` and a rejected promise goes to the error handlers.
 */
export function fastRouteDispatch(
  router: Router,
  routes: readonly DispatchedRoute[],
): FastRouteDispatch {
  const handlers: RouteHandler[] = [];
  const byKey = exactRouteKeys(routes);
  router.use((request: Request, response: Response, next: NextFunction): void => {
    const index = byKey.get(`${request.method} ${request.path}`);
    const handler = index === undefined ? undefined : handlers[index];
    if (handler === undefined) {
      next();
      return;
    }
    request.params = {};
    handler(request, response).catch((error: unknown) => {
      next(error ?? new Error('Rejected promise'));
    });
  });
  return {
    add(handler) {
      handlers.push(handler);
      return handler;
    },
  };
}
