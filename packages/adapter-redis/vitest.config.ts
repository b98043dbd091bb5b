import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const core = (path: string) => fileURLToPath(new URL(`../core/src/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // Tests run against the core's source, so they never see a stale build.
    alias: [
      { find: /^@stockroom\/core\/testing$/, replacement: core('testing/index.ts') },
      { find: /^@stockroom\/core$/, replacement: core('index.ts') },
    ],
  },
  test: {
    name: 'adapter-redis',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Projects do not inherit the root config's timeouts; loaded CI machines need headroom.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
