import type { Logger } from '@stockroom/core';
import type { Cluster, Redis } from 'ioredis';
import type { RedisAdapterStats } from './redis-adapter-stats.js';
import { type LoadedScript, loadScript, type RedisScript } from './scripts/redis-script.js';
import { isNoScriptError, translateRedisError } from './translate-redis-error.js';

/** A single Redis or a Redis Cluster client (ioredis). */
export type RedisClient = Redis | Cluster;

/** What the gateway needs. */
export interface RedisGatewayOptions {
  readonly client: RedisClient;
  /** Every call fails after this long without an answer. */
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
  readonly stats: RedisAdapterStats;
}

/**
 * The one path every Redis call takes: it bounds the call by a timeout, counts and translates
 * failures, runs scripts by SHA (loading them on NOSCRIPT), and notices when Redis answers again
 * after failures so the components can replay what they could not do meanwhile.
 */
export class RedisGateway {
  private healthy = true;
  private readonly listeners: Array<() => void> = [];
  private readonly loaded = new Map<RedisScript, LoadedScript>();
  private readonly onReady = () => {
    if (!this.healthy) this.recovered();
  };

  constructor(private readonly options: RedisGatewayOptions) {
    options.client.on('ready', this.onReady);
  }

  /** False from a failed call until Redis answers again. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  /** The client the calls go to. */
  get client(): RedisClient {
    return this.options.client;
  }

  /**
   * Runs one Redis call, bounded by the command timeout.
   * @throws STORE_UNAVAILABLE when Redis is unreachable, too slow or cannot serve now
   */
  async call<T>(operation: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.options.commandTimeoutMs} ms`)),
        this.options.commandTimeoutMs,
      );
    });
    try {
      const result = await Promise.race([send(this.options.client), timeout]);
      if (!this.healthy) this.recovered();
      return result;
    } catch (error) {
      this.failed(operation, error);
      throw translateRedisError(error, operation);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs a Lua script (EVALSHA, falling back to EVAL when the server — or, on a cluster, the
   * node owning the keys — does not have it yet).
   * @throws STORE_UNAVAILABLE as `call` does
   */
  async script(
    script: RedisScript,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<unknown> {
    if (keys.length !== script.numberOfKeys) {
      throw new Error(`${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
    let loaded = this.loaded.get(script);
    if (!loaded) {
      loaded = loadScript(script);
      this.loaded.set(script, loaded);
    }
    const { sha, source } = loaded;
    return this.call(script.name, async (client): Promise<unknown> => {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return client.eval(source, keys.length, ...keys, ...args);
      }
    });
  }

  /** Calls `listener` each time Redis answers again after failures. */
  onRecovered(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Stops listening to the client's events. */
  detach(): void {
    this.options.client.off('ready', this.onReady);
  }

  private failed(operation: string, error: unknown): void {
    this.options.stats.errors += 1;
    if (this.healthy) {
      this.healthy = false;
      this.options.logger.warn(
        { err: error, operation },
        'Redis call failed; stockroom continues without Redis until it answers again',
      );
    }
  }

  private recovered(): void {
    this.healthy = true;
    this.options.stats.recoveries += 1;
    this.options.logger.info({}, 'Redis answers again; cache, guard and leases are back in use');
    for (const listener of this.listeners) listener();
  }
}
