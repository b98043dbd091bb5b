import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `.env` files into `process.env` without overriding what the environment already sets:
 * `STOCKROOM_ENV_FILE` when given (it must exist), else `.env` in the folder `npm` was started
 * from (`INIT_CWD`, so `npm start` at the repository root reads the root's `.env`), then `.env`
 * in the working directory. The first file to set a variable wins. Returns the files loaded.
 */
export function loadEnvFiles(environment: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = environment.STOCKROOM_ENV_FILE;
  const candidates = explicit
    ? [resolve(explicit)]
    : [...(environment.INIT_CWD ? [resolve(environment.INIT_CWD, '.env')] : []), resolve('.env')];
  const loaded: string[] = [];
  for (const path of new Set(candidates)) {
    if (!explicit && !existsSync(path)) continue;
    // Node's own parser (20.12+): KEY=value lines, quotes, comments; existing variables win.
    process.loadEnvFile(path);
    loaded.push(path);
  }
  return loaded;
}
