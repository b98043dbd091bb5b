import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: {
    // The README example imports the package by name; tests resolve it to the source.
    alias: [
      {
        find: /^@stockroom\/core$/,
        replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    name: 'core',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Projects do not inherit the root config's timeouts; loaded CI machines need headroom.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
