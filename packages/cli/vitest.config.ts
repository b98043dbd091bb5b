import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // The tests set up stores through the sources; the command under test is the built binary.
    alias: [
      { find: /^@stockroom\/core\/testing$/, replacement: source('core/src/testing/index.ts') },
      { find: /^@stockroom\/core$/, replacement: source('core/src/index.ts') },
      ...['sqlite', 'postgres'].map((name) => ({
        find: new RegExp(`^@stockroom/adapter-${name}$`),
        replacement: source(`adapter-${name}/src/index.ts`),
      })),
    ],
  },
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    // The tests run the built binary over files of up to 100,000 rows on a shared machine.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
