import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // Tests run against the sources of the core and the adapters, so they never see a stale build.
    alias: [
      { find: /^@stockroom\/core\/testing$/, replacement: source('core/src/testing/index.ts') },
      { find: /^@stockroom\/core$/, replacement: source('core/src/index.ts') },
      ...['sqlite', 'postgres', 'redis', 'kafka'].map((name) => ({
        find: new RegExp(`^@stockroom/adapter-${name}$`),
        replacement: source(`adapter-${name}/src/index.ts`),
      })),
      { find: /^@stockroom\/cli$/, replacement: source('cli/src/index.ts') },
    ],
  },
  test: {
    name: 'express-server',
    include: ['test/**/*.test.ts'],
    // Projects do not inherit the root's timeouts; the HTTP suites need more than the default 5 s
    // on a loaded machine (the bulk update of 10,000 items, the 200-request burst).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The browser test polls the page for what a request draws: 1 s (vitest's default) is one
    // slow answer on a busy machine.
    expect: { poll: { timeout: 15_000 } },
  },
});
