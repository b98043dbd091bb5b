import type { IncomingMessage, ServerResponse } from 'node:http';
import { isStockroomError } from '@stockroom/core';
import type { ApiKeyRing, Principal } from './auth.js';
import { bindPrincipal, type KeyBindings } from './channel-access.js';
import { API_BASE } from './openapi.js';
import { HttpProblem, problemFromError } from './problem-details.js';
import { type RateLimiter, rateLimitedProblem } from './rate-limit.js';
import { percentEncodingProblem, translateRequestError } from './request-errors.js';
import { callRoute } from './route-call.js';
import { exactRouteKeys } from './route-dispatch.js';
import type { Route } from './routes/define-route.js';

/** A response as the app's middleware sees it: Express's `locals` on Node's response. */
type LocalsResponse = ServerResponse & { locals: Record<string, unknown> };

/** Middleware the direct path runs exactly as the Express app does (logging, metrics). */
type NodeMiddleware = (
  request: IncomingMessage,
  response: LocalsResponse,
  next: () => void,
) => void;

/** What {@link directRoutes} needs: the app's routes and the pieces of its pipeline. */
export interface DirectRoutesOptions {
  /** The API's routes, in the Express app's matching order. */
  readonly routes: readonly Route[];
  readonly keys: ApiKeyRing;
  readonly keyBindings?: KeyBindings;
  readonly rateLimit?: { readonly limiter: RateLimiter; readonly perMinute: number };
  /** The app's first middleware, in order (request logging, then request metrics). */
  readonly middleware: readonly NodeMiddleware[];
  /** The app's query parser (Express's `query parser fn`). */
  readonly parseQuery: (text: string) => unknown;
  readonly checkResponses: boolean;
  /** Called for every request the direct path takes (a metric). */
  readonly onTaken?: () => void;
}

/** A URL the direct path reads itself: visible ASCII without a fragment. */
const PLAIN_URL = /^[\x21-\x22\x24-\x7e]*$/;
/** The JSON content types the direct path reads itself (others keep body-parser's handling). */
const PLAIN_JSON = /^application\/json(?:;[ ]?charset=(?:utf-8|"utf-8"))?$/i;
const DIGITS = /^[0-9]{1,9}$/;
const LIMITS = { '1mb': 1024 * 1024, '16mb': 16 * 1024 * 1024 } as const;

/** The fields Express adds to a request that the log lines read. */
type ExpressLikeRequest = IncomingMessage & {
  originalUrl?: string;
  query?: unknown;
  params?: object;
};

/** The direct path reads only JSON bodies: the route call's "sent something else" is false. */
const neverOtherThanJson = (): boolean => false;

/** A request the direct path has taken: its route, caller and body length. */
interface Taken {
  readonly route: Route;
  readonly principal: Principal;
  readonly query: string;
  /** Bytes of JSON to read, or undefined when the request has no body. */
  readonly length: number | undefined;
}

/**
 * Serves the API's parameterless routes without Express's pipeline, for requests in their plain
 * form: exact method and path, a configured `Bearer` key whose role (and binding) allows the
 * route, a percent-encoded query, no conditional headers, and no body or a JSON body of known
 * length within the route's limit, not compressed, in UTF-8. Such a request gets what the
 * Express app would answer — the same middleware (`X-Request-Id`, log lines, metrics), rate
 * limit, JSON reading (a BOM skipped, `{}` for an empty body, only an object or array at the top),
 * route call ({@link callRoute}) and answer or problem — in less time. Every other request
 * (401 and 403 answers, odd encodings, trailing slashes, HEAD…) returns `false` untouched, for
 * the Express app to handle.
 *
 * @returns the request listener's first step: `true` when it took the request
 */
export function directRoutes(
  options: DirectRoutesOptions,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const byKey = exactRouteKeys(options.routes);
  const bindings =
    options.keyBindings && options.keyBindings.size > 0 ? options.keyBindings : undefined;

  const take = (request: IncomingMessage): Taken | undefined => {
    const url = request.url ?? '';
    if (!url.startsWith(`${API_BASE}/`) || !PLAIN_URL.test(url)) return undefined;
    const mark = url.indexOf('?');
    const path = url.slice(API_BASE.length, mark === -1 ? undefined : mark);
    const index = byKey.get(`${request.method} ${path}`);
    if (index === undefined) return undefined;
    const route = options.routes[index]!;
    const headers = request.headers;
    if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined)
      return undefined;
    // Visible ASCII without `%` always decodes.
    if (url.includes('%') && percentEncodingProblem(url)) return undefined;
    let principal = options.keys.authenticate(headers.authorization);
    if (!principal) return undefined;
    if (bindings) {
      const bound = bindPrincipal(principal, bindings, request.method ?? '', path);
      if (!bound.allowed) return undefined;
      principal = bound.principal;
    }
    if (!route.roles.includes(principal.role)) return undefined;
    const query = mark === -1 ? '' : url.slice(mark + 1);
    if (headers['transfer-encoding'] !== undefined) return undefined;
    const declared = headers['content-length'];
    if (declared === undefined) return { route, principal, query, length: undefined };
    const type = headers['content-type'];
    if (
      !DIGITS.test(declared) ||
      headers['content-encoding'] !== undefined ||
      type === undefined ||
      !PLAIN_JSON.test(type)
    )
      return undefined;
    const length = Number(declared);
    if (length > LIMITS[route.bodyLimit ?? '1mb']) return undefined;
    return { route, principal, query, length };
  };

  return (request, response) => {
    const taken = take(request);
    if (!taken) return false;
    options.onTaken?.();
    serve(options, taken, request, response as LocalsResponse).catch((error: unknown) => {
      // Only a failure to answer lands here: nothing more can be sent on this response.
      response.destroy(error instanceof Error ? error : undefined);
    });
    return true;
  };
}

async function serve(
  options: DirectRoutesOptions,
  taken: Taken,
  request: IncomingMessage,
  response: LocalsResponse,
): Promise<void> {
  const { route, principal } = taken;
  const query = options.parseQuery(taken.query);
  // What Express puts on a request, for the log lines' `req` (pino reads these).
  const expressLike = request as ExpressLikeRequest;
  expressLike.originalUrl = request.url;
  expressLike.query = query;
  expressLike.params = {};
  response.locals = Object.create(null) as Record<string, unknown>;
  for (const middleware of options.middleware) middleware(request, response, () => {});
  response.locals.principal = principal;
  try {
    const limit = options.rateLimit;
    if (limit && limit.perMinute > 0) {
      const decision = await limit.limiter.consume(principal.keyId);
      if (!decision.allowed) throw rateLimitedProblem(limit.perMinute, decision);
    }
    const body = taken.length === undefined ? undefined : parseJson(await readBody(request));
    response.locals.route = `${API_BASE}${route.path}`;
    const answer = await callRoute(
      route,
      {
        principal,
        headers: request.headers,
        requestId: request.id,
        params: {},
        query,
        body,
        sentOtherThanJson: neverOtherThanJson,
      },
      options.checkResponses,
    );
    const text = JSON.stringify(answer.body);
    response.statusCode = answer.status;
    if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    writeText(response, 'application/json; charset=utf-8', text);
  } catch (error) {
    answerError(error, request, response);
  }
}

function writeText(response: ServerResponse, type: string, text: string): void {
  response.setHeader('Content-Type', type);
  response.setHeader('Content-Length', String(Buffer.byteLength(text)));
  response.end(text);
}

/** The Express app's error handler, for a request the direct path took. */
function answerError(error: unknown, request: IncomingMessage, response: ServerResponse): void {
  const translated =
    error instanceof HttpProblem || isStockroomError(error)
      ? error
      : (translateRequestError(error) ?? error);
  const url = request.url ?? '';
  const { problem, headers, unexpected } = problemFromError(
    translated,
    url.split('?')[0] ?? url,
    request.id,
  );
  if (unexpected) request.log.error({ err: error }, 'request failed');
  if (response.headersSent) {
    response.end();
    return;
  }
  response.statusCode = problem.status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  writeText(response, 'application/problem+json; charset=utf-8', JSON.stringify(problem));
}

const READING = Symbol('body being read');

/** A body being read: its chunks and its promise's ends, kept on the request. */
interface Reading {
  first: Buffer | undefined;
  rest: Buffer[] | undefined;
  resolve(body: Buffer): void;
  reject(reason: unknown): void;
}

type ReadRequest = IncomingMessage & { [READING]: Reading };

// The listeners are shared by every request (no closures made per request).
function onBodyData(this: ReadRequest, chunk: Buffer): void {
  const reading = this[READING];
  if (reading.first === undefined) reading.first = chunk;
  else if (reading.rest === undefined) reading.rest = [reading.first, chunk];
  else reading.rest.push(chunk);
}

function onBodyEnd(this: ReadRequest): void {
  const reading = this[READING];
  reading.resolve(
    reading.rest === undefined ? (reading.first ?? Buffer.alloc(0)) : Buffer.concat(reading.rest),
  );
}

/** An aborted upload: what body-parser reports (a 4xx the error handler reads as a 400). */
function onBodyError(this: ReadRequest): void {
  this[READING].reject({ status: 400 });
}

function onBodyClose(this: ReadRequest): void {
  if (!this.complete) this[READING].reject({ status: 400 });
}

/** The whole body (its length was checked against the limit before). */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    (request as ReadRequest)[READING] = { first: undefined, rest: undefined, resolve, reject };
    request.on('data', onBodyData);
    request.on('end', onBodyEnd);
    request.on('error', onBodyError);
    request.on('close', onBodyClose);
  });
}

/** The index of the first character that is not JSON whitespace (space, tab, LF, CR). */
function firstNonWhitespace(text: string): number {
  let index = 0;
  for (; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
  }
  return index;
}

/**
 * JSON as body-parser's strict parser reads UTF-8: a byte-order mark skipped, `{}` for an empty
 * body, and only an object or an array at the top.
 * @throws HttpProblem VALIDATION_FAILED for anything else
 */
function parseJson(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = text[firstNonWhitespace(text)];
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    return JSON.parse(text);
  } catch {
    throw translateRequestError({ type: 'entity.parse.failed' })!;
  }
}
