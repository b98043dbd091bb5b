import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const core = (path: string) => fileURLToPath(new URL(`../core/src/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // Tests run against the core's source, so they never see a stale build.
    alias: [
      { find: /^@stockroom\/core\/testing$/, replacement: core('testing/index.ts') },
      { find: /^@stockroom\/core$/, replacement: core('index.ts') },
      // The README example imports the package by name.
      {
        find: /^@stockroom\/adapter-sqlite$/,
        replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    name: 'adapter-sqlite',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The two-process test starts a child Node (tsx) and contract tests run real transactions
    // on a busy shared machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
