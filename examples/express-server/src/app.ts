import type { RequestListener } from 'node:http';
import type { Clock, Stockroom } from '@stockroom/core';
import { isStockroomError, systemClock } from '@stockroom/core';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger as PinoLogger } from 'pino';
import { type ApiKeyRing, authenticate, principalOf } from './auth.js';
import { bindKeys, type KeyBindings } from './channel-access.js';
import { dashboardRouter, operatorPaths } from './dashboard.js';
import { directRoutes } from './direct-routes.js';
import { docsRouter } from './docs-page.js';
import { EventFeed } from './event-feed.js';
import { eventStreamHandler } from './event-stream.js';
import { idempotencyKeyOf } from './idempotency.js';
import type { JobRunner } from './jobs.js';
import { requestMetrics, type ServerMetrics } from './metrics.js';
import { API_BASE, buildOpenApiDocument } from './openapi.js';
import { HttpProblem, type Problem, problemFromError } from './problem-details.js';
import { type RateLimiter, rateLimit } from './rate-limit.js';
import type { ReconcileReports } from './reconcile-report.js';
import { percentEncodingProblem, translateRequestError } from './request-errors.js';
import { requestLogging } from './request-logging.js';
import { callRoute } from './route-call.js';
import { fastRouteDispatch } from './route-dispatch.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { cartRoutes } from './routes/cart.js';
import { channelRoutes } from './routes/channels.js';
import { dashboardRoutes } from './routes/dashboard.js';
import type { Route } from './routes/define-route.js';
import { inventoryRoutes } from './routes/inventory.js';
import { kitRoutes } from './routes/kits.js';
import { receiptRoutes } from './routes/receipts.js';
import { reservationRoutes } from './routes/reservations.js';
import { skuPolicyRoutes } from './routes/sku-policies.js';
import { transferRoutes } from './routes/transfers.js';
import { warehouseRoutes } from './routes/warehouses.js';

/** One component `/readyz` reports. */
export interface ReadinessComponent {
  readonly name: string;
  /** What implements it (`sqlite`, `redis`, `kafka`, `logging`…). */
  readonly kind: string;
  /** Resolves when the component answers; absent for a component that is not configured. */
  readonly check?: () => Promise<void>;
}

/** Everything the app needs; the server (or a test) builds it. */
export interface AppDependencies {
  readonly stockroom: Stockroom;
  readonly keys: ApiKeyRing;
  /** Keys bound to a sales channel and/or a display strategy, by key id. */
  readonly keyBindings?: KeyBindings;
  readonly jobs: JobRunner;
  readonly metrics: ServerMetrics;
  readonly logger: PinoLogger;
  readonly clock?: Clock;
  /** Per-key rate limiting; absent turns it off. */
  readonly rateLimit?: { readonly limiter: RateLimiter; readonly perMinute: number };
  /** Components `/readyz` checks; the store is always checked. */
  readonly readiness?: readonly ReadinessComponent[];
  /** True once shutdown has begun (`/readyz` then answers 503). */
  readonly isShuttingDown?: () => boolean;
  /** The API version shown in the OpenAPI document. @default '0.1.0' */
  readonly version?: string;
  /**
   * The reservations' maximum lifetime (the core's `policies.reservations`): the limit of
   * `ttlSeconds` and of an extension, in validation and in the OpenAPI document. @default 3600
   */
  readonly maxReservationSeconds?: number;
  /** The last reconciliation's report, for GET /api/v1/admin/reconciliation. */
  readonly reconcileReports?: ReconcileReports;
  /** Check every success body against its schema (tests): a mismatch is a 500. */
  readonly checkResponses?: boolean;
  /** The delivered events `GET /api/v1/events/stream` sends. @default an empty feed */
  readonly events?: EventFeed;
}

/** Every route of the API, in matching order. */
export function apiRoutes(
  dependencies: Pick<
    AppDependencies,
    'stockroom' | 'jobs' | 'metrics' | 'maxReservationSeconds' | 'reconcileReports' | 'clock'
  >,
): Route[] {
  const { stockroom, jobs, metrics } = dependencies;
  const maxLifetimeSeconds = dependencies.maxReservationSeconds ?? 3600;
  const clock = dependencies.clock ?? systemClock;
  return [
    ...warehouseRoutes({ stockroom }),
    ...inventoryRoutes({ stockroom }),
    ...cartRoutes({ stockroom }),
    ...skuPolicyRoutes({ stockroom }),
    ...reservationRoutes({ stockroom, outcomes: metrics, maxLifetimeSeconds }),
    ...transferRoutes({ stockroom }),
    ...receiptRoutes({ stockroom }),
    ...alertRoutes({ stockroom }),
    ...channelRoutes({ stockroom }),
    ...kitRoutes({ stockroom }),
    ...adminRoutes({
      jobs,
      stockroom,
      ...(dependencies.reconcileReports ? { reconcileReports: dependencies.reconcileReports } : {}),
    }),
    ...dashboardRoutes({ stockroom, clock }),
  ];
}

function sendProblem(
  response: Response,
  problem: Problem,
  headers: Readonly<Record<string, string>> = {},
): void {
  response
    .status(problem.status)
    .set(headers)
    .type('application/problem+json')
    .send(JSON.stringify(problem));
}

function hasBody(request: Request): boolean {
  return (
    request.get('transfer-encoding') !== undefined || Number(request.get('content-length') ?? 0) > 0
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Builds the Express app (it does not listen). */
export function createApp(dependencies: AppDependencies): express.Express {
  return buildApp(dependencies).app;
}

/**
 * The server's request listener: the API's parameterless routes in their plain form served
 * directly (see {@link directRoutes}: the same answers in less time), everything else by the
 * Express app of {@link createApp}. With `directRoutes: false`, the Express app alone.
 */
export function createRequestListener(
  dependencies: AppDependencies & {
    /** Serve plain requests of parameterless routes without Express. @default true */
    readonly directRoutes?: boolean;
  },
): RequestListener {
  const built = buildApp(dependencies);
  if (dependencies.directRoutes === false) return built.app;
  const direct = directRoutes({
    routes: built.routes,
    keys: dependencies.keys,
    ...(dependencies.keyBindings ? { keyBindings: dependencies.keyBindings } : {}),
    ...(dependencies.rateLimit ? { rateLimit: dependencies.rateLimit } : {}),
    middleware: built.middleware,
    parseQuery: built.app.get('query parser fn') as (text: string) => unknown,
    checkResponses: dependencies.checkResponses ?? false,
    onTaken: () => dependencies.metrics.servedDirectly(),
  });
  return (request, response) => {
    if (!direct(request, response)) built.app(request, response);
  };
}

function buildApp(dependencies: AppDependencies) {
  const { stockroom, logger, metrics } = dependencies;
  const routes = apiRoutes(dependencies);
  const document = buildOpenApiDocument(routes, dependencies.version ?? '0.1.0');
  Object.assign((document as { paths: object }).paths, operatorPaths());
  const documentJson = JSON.stringify(document);
  const events = dependencies.events ?? new EventFeed();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const middleware = [requestLogging(logger, dependencies.keys), requestMetrics(metrics)] as const;
  for (const step of middleware) app.use(step);

  // A path or query string that is not percent-encoded UTF-8 answers 400 on every route.
  app.use((request, _response, next) => {
    next(percentEncodingProblem(request.originalUrl));
  });

  const site = express.Router(); // the operator pages, matched after the API
  const operation = (path: string, handler: RequestHandler) => {
    site.get(path, (request, response, next) => {
      response.locals.route = path;
      return handler(request, response, next);
    });
  };
  operation('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  // Without an admin key /readyz answers only its status: the components (and a failing one's
  // error, which may name a host) are for operators.
  operation('/readyz', async (request, response) => {
    const components: Record<
      string,
      { status: 'up' | 'down' | 'disabled'; kind?: string; detail?: string }
    > = {};
    const all: ReadinessComponent[] = [
      { name: 'store', kind: 'store', check: () => stockroom.store.ping() },
      ...(dependencies.readiness ?? []),
    ];
    await Promise.all(
      all.map(async (component) => {
        if (!component.check) {
          components[component.name] = { status: 'disabled', kind: component.kind };
          return;
        }
        try {
          await withTimeout(component.check(), 2000);
          components[component.name] = { status: 'up', kind: component.kind };
        } catch (error) {
          components[component.name] = {
            status: 'down',
            kind: component.kind,
            detail: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    const shuttingDown = dependencies.isShuttingDown?.() ?? false;
    const ready =
      !shuttingDown && Object.values(components).every((component) => component.status !== 'down');
    const status = ready ? 'ready' : 'not-ready';
    const caller = dependencies.keys.authenticate(request.get('authorization'));
    response
      .status(ready ? 200 : 503)
      .json(caller?.role === 'admin' ? { status, components } : { status });
  });
  operation('/metrics', async (_request, response) => {
    const text = await metrics.registry.metrics();
    response.type(metrics.registry.contentType).send(text);
  });
  operation('/openapi.json', (_request, response) => {
    response.type('application/json').send(documentJson);
  });
  site.use(docsRouter(document), dashboardRouter());

  const api = express.Router();
  api.use(authenticate(dependencies.keys));
  if (dependencies.keyBindings && dependencies.keyBindings.size > 0)
    api.use(bindKeys(dependencies.keyBindings));
  if (dependencies.rateLimit && dependencies.rateLimit.perMinute > 0) {
    api.use(rateLimit(dependencies.rateLimit.limiter, dependencies.rateLimit.perMinute));
  }
  const jsonTypes = ['application/json', 'application/*+json'];
  const smallBodies = express.json({ limit: '1mb', type: jsonTypes });
  const largeBodies = express.json({ limit: '16mb', type: jsonTypes });
  const largeBodyPaths = new Set(
    routes.filter((route) => route.bodyLimit === '16mb').map((route) => route.path),
  );
  api.use((request, response, next) =>
    (largeBodyPaths.has(request.path) ? largeBodies : smallBodies)(request, response, next),
  );
  const fast = fastRouteDispatch(api, routes);
  for (const route of routes) {
    const handler = async (request: Request, response: Response) => {
      response.locals.route = `${API_BASE}${route.path}`;
      const answer = await callRoute(
        route,
        {
          principal: principalOf(response),
          headers: request.headers,
          requestId: String(request.id),
          params: request.params,
          query: request.query,
          body: request.body,
          sentOtherThanJson: () => hasBody(request) && !request.is(jsonTypes),
        },
        dependencies.checkResponses ?? false,
      );
      if (answer.replayed) response.set('Idempotent-Replayed', 'true');
      response.status(answer.status).json(answer.body);
    };
    api[route.method](route.path, fast.add(handler));
  }
  api.get('/events/stream', (request, response) => {
    response.locals.route = `${API_BASE}/events/stream`;
    // Refused like on every other route, before the stream starts: a malformed Idempotency-Key,
    // and query parameters (the stream takes none).
    idempotencyKeyOf(request);
    const unknown = Object.keys(request.query as Record<string, unknown>);
    if (unknown.length > 0) {
      throw new HttpProblem(
        'VALIDATION_FAILED',
        `The request is invalid: ${unknown.map((name) => `${name} is not a known field`).join('; ')}`,
        { errors: unknown.map((name) => ({ path: name, message: 'is not a known field' })) },
      );
    }
    eventStreamHandler(events, dependencies.isShuttingDown)(request, response);
  });
  api.use((request, _response, next) => {
    next(new HttpProblem('NOT_FOUND', `No route ${request.method} ${API_BASE}${request.path}`));
  });
  app.use(API_BASE, api).use(site);

  app.use((request, _response, next) => {
    next(new HttpProblem('NOT_FOUND', `No route ${request.method} ${request.path}`));
  });
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const translated =
      error instanceof HttpProblem || isStockroomError(error)
        ? error
        : (translateRequestError(error) ?? error);
    const { problem, headers, unexpected } = problemFromError(
      translated,
      request.originalUrl.split('?')[0] ?? request.originalUrl,
      String(request.id),
    );
    if (unexpected) request.log.error({ err: error }, 'request failed');
    if (response.headersSent) {
      response.end();
      return;
    }
    sendProblem(response, problem, headers);
  });
  return { app, routes, middleware };
}
