import { isStockroomError, StoreUnavailableError } from '@stockroom/core';
import { ReplyError } from 'ioredis';

// Replies meaning "Redis cannot serve this now" rather than "this command is wrong".
const UNAVAILABLE_REPLIES = new Set([
  'BUSY',
  'CLUSTERDOWN',
  'LOADING',
  'MASTERDOWN',
  'MISCONF',
  'NOREPLICAS',
  'OOM',
  'READONLY',
  'TRYAGAIN',
]);

/**
 * The error code of a Redis error reply (its first word: `NOSCRIPT`, `CROSSSLOT`, …), or
 * undefined for anything that is not a reply from the server. This file is the only place that
 * reads driver error fields.
 */
export function replyCode(error: unknown): string | undefined {
  if (!(error instanceof ReplyError) || !(error instanceof Error)) return undefined;
  return /^[A-Z]+/.exec(error.message)?.[0];
}

/** True when EVALSHA failed because the server does not know the script yet. */
export function isNoScriptError(error: unknown): boolean {
  return replyCode(error) === 'NOSCRIPT';
}

/**
 * Maps an ioredis failure to a stockroom error: anything that means Redis is unreachable or
 * cannot serve now (connection closed, offline, command timeout, all cluster nodes failed,
 * LOADING, CLUSTERDOWN, …) becomes a retryable `STORE_UNAVAILABLE`; any other error reply
 * (a bug such as WRONGTYPE or CROSSSLOT) is returned as is.
 */
export function translateRedisError(error: unknown, operation: string): unknown {
  if (isStockroomError(error)) return error;
  const code = replyCode(error);
  if (code === undefined) {
    const detail = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(`Redis ${operation} failed: ${detail}`, { cause: error });
  }
  if (UNAVAILABLE_REPLIES.has(code)) {
    return new StoreUnavailableError(`Redis ${operation} failed: ${code}`, { cause: error });
  }
  return error;
}
