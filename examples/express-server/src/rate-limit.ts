import type { Clock, Logger } from '@stockroom/core';
import type { NextFunction, Request, Response } from 'express';
import { principalOf } from './auth.js';
import { HttpProblem } from './problem-details.js';

/** The answer of one rate-limit check. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until the window resets (for `Retry-After`). */
  readonly retryAfterSeconds: number;
}

/** Counts requests per API key in one-minute windows. */
export interface RateLimiter {
  /** Counts one request of `keyId` and says whether it is within the limit. */
  consume(keyId: string): Promise<RateDecision>;
}

const WINDOW_MS = 60_000;

/** A fixed one-minute window per key, in this process. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly clock: Clock,
  ) {}

  async consume(keyId: string): Promise<RateDecision> {
    const now = this.clock.now().getTime();
    const start = now - (now % WINDOW_MS);
    let window = this.windows.get(keyId);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(keyId, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= this.limitPerMinute,
      retryAfterSeconds: Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000)),
    };
  }
}

/** The subset of an ioredis client (single or cluster) the Redis limiter uses. */
export interface RedisEvalClient {
  eval(script: string, numberOfKeys: number, ...arguments_: (string | number)[]): Promise<unknown>;
}

/**
 * KEYS[1] the key's counter; ARGV[1] the window in ms.
 * Returns { count, ms left in the window }.
 */
const COUNT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }
`;

/**
 * A one-minute window per key shared by every instance through Redis. When Redis fails the
 * request is let through (and the failure logged): the limiter protects the service, it must
 * not take it down.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly client: RedisEvalClient,
    private readonly prefix: string,
    private readonly limitPerMinute: number,
    private readonly logger: Logger,
  ) {}

  async consume(keyId: string): Promise<RateDecision> {
    try {
      const [count, ttl] = (await this.client.eval(
        COUNT_SCRIPT,
        1,
        `${this.prefix}:rate:{${keyId}}`,
        WINDOW_MS,
      )) as [number, number];
      return {
        allowed: count <= this.limitPerMinute,
        retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
      };
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limiter unavailable; letting the request through');
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }
}

/** The 429 `RATE_LIMITED` answer, with `Retry-After`, to a key over its limit. */
export function rateLimitedProblem(limitPerMinute: number, decision: RateDecision): HttpProblem {
  return new HttpProblem(
    'RATE_LIMITED',
    `This API key may make ${limitPerMinute} requests a minute; retry in ${decision.retryAfterSeconds} s`,
    {},
    { 'Retry-After': String(decision.retryAfterSeconds) },
  );
}

/** Middleware: answers 429 `RATE_LIMITED` with `Retry-After` once a key is over its limit. */
export function rateLimit(limiter: RateLimiter, limitPerMinute: number) {
  return async (_request: Request, response: Response, next: NextFunction): Promise<void> => {
    const decision = await limiter.consume(principalOf(response).keyId);
    next(decision.allowed ? undefined : rateLimitedProblem(limitPerMinute, decision));
  };
}
