import { createHash } from 'node:crypto';

/** A Lua script: how many of its arguments are keys, and its source. */
export interface RedisScript {
  /** A name for logs and errors. */
  readonly name: string;
  readonly numberOfKeys: number;
  readonly source: string;
}

/** A script with its SHA1, for EVALSHA. */
export interface LoadedScript extends RedisScript {
  readonly sha: string;
}

/** Adds the SHA1 Redis uses to name a script. */
export function loadScript(script: RedisScript): LoadedScript {
  return { ...script, sha: createHash('sha1').update(script.source).digest('hex') };
}
