import { fileURLToPath } from 'node:url';
import type { Alias } from 'vite';

const source = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The module aliases of a SQL adapter's tests: the core's and the kit's source, so tests never
 * see a stale build, and the adapter itself by name (README examples import it so).
 */
export function sqlAdapterAliases(adapter: 'adapter-postgres' | 'adapter-sqlite'): Alias[] {
  return [
    { find: /^@stockroom\/core\/testing$/, replacement: source('core/src/testing/index.ts') },
    { find: /^@stockroom\/core$/, replacement: source('core/src/index.ts') },
    {
      find: new RegExp(`^@stockroom/${adapter}$`),
      replacement: source(`${adapter}/src/index.ts`),
    },
  ];
}

/** A SQL adapter's vitest project: its tests (src and test), against the core's source. */
export function sqlAdapterProject(
  adapter: 'adapter-postgres' | 'adapter-sqlite',
  timeouts: { readonly testTimeout: number; readonly hookTimeout: number },
) {
  return {
    resolve: { alias: sqlAdapterAliases(adapter) },
    test: { name: adapter, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...timeouts },
  };
}
