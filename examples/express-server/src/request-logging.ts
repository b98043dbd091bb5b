import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, stdSerializers } from 'pino';
import type { ApiKeyRing } from './auth.js';
import { requestLogSerializer } from './log-redaction.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id: a valid `X-Request-Id` sent by the caller, else a random UUID. */
    id: string;
    /** A logger bound to this request (`req` in every line), created on first use. */
    log: Logger;
  }
}

/** What a caller may send as `X-Request-Id` (printable ASCII, no spaces, up to 128 characters). */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

const BASE = Symbol('request logger base');
const BOUND = Symbol('request logger');

/** A request as the middleware leaves it: its logger's base, and the bound logger once built. */
type LoggedRequest = IncomingMessage & { [BASE]: Logger; [BOUND]?: Logger };

/**
 * `request.log`: one getter and one setter for every request, its state in symbol-keyed fields
 * (accessors made per request would give every request a hidden class of its own, and cost an
 * allocation and a slow object each).
 */
const LOG_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: LoggedRequest): Logger {
    let bound = this[BOUND];
    if (bound === undefined) {
      bound = this[BASE].child({ req: this });
      this[BOUND] = bound;
    }
    return bound;
  },
  set(this: LoggedRequest, value: Logger) {
    this[BOUND] = value;
  },
};

/**
 * Per-request logging with pino-http's output — one line per request, `request completed`
 * (info) or `request errored` (error, for 5xx and failed responses) with `req`, `res`,
 * `responseTime` and the caller's `keyId` — without pino-http's per-request work: the child
 * logger bound to the request (which serializes and scrubs the request) is built only when a
 * line is written, so a level that writes nothing costs an id and a property. Sets
 * `request.id`, `request.log` and the `X-Request-Id` response header.
 */
export function requestLogging(
  logger: Logger,
  keys: ApiKeyRing,
): (
  request: IncomingMessage,
  response: ServerResponse & { readonly locals: Record<string, unknown> },
  next: () => void,
) => void {
  const scrub = requestLogSerializer(keys);
  const base = logger.child(
    {},
    {
      serializers: {
        // As pino-http wraps them: the standard serializer first, then ours on its output.
        req: stdSerializers.wrapRequestSerializer(
          (serialized) => scrub(serialized as never) as never,
        ),
        res: stdSerializers.wrapResponseSerializer((serialized) => serialized),
        err: stdSerializers.wrapErrorSerializer((serialized) => serialized),
      },
    },
  );
  return (request, response, next) => {
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('X-Request-Id', id);
    request.id = id;
    (request as LoggedRequest)[BASE] = base;
    Object.defineProperty(request, 'log', LOG_PROPERTY);
    // A logger that writes neither line (`LOG_LEVEL=silent`; the level is fixed at start) needs
    // no listeners.
    if (!base.isLevelEnabled('error')) {
      next();
      return;
    }
    const started = Date.now();
    const done = (error?: Error) => {
      response.off('close', done);
      response.off('finish', done);
      response.off('error', done);
      const failed = error !== undefined || response.statusCode >= 500;
      if (!base.isLevelEnabled(failed ? 'error' : 'info')) return;
      const keyId = (response.locals.principal as { keyId?: string } | undefined)?.keyId;
      const line = keyId ? request.log.child({ keyId }) : request.log;
      const responseTime = Date.now() - started;
      if (failed) {
        line.error(
          {
            res: response,
            err: error ?? new Error(`failed with status code ${response.statusCode}`),
            responseTime,
          },
          'request errored',
        );
        return;
      }
      line.info(
        { res: response, responseTime },
        !request.readableAborted && response.writableEnded
          ? 'request completed'
          : 'request aborted',
      );
    };
    response.on('close', done);
    response.on('finish', done);
    response.on('error', done);
    next();
  };
}
