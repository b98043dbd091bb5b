import { defineProject } from 'vitest/config';
import { sqlAdapterAliases } from '../sql-kit/config/vitest-preset.js';

export default defineProject({
  resolve: { alias: sqlAdapterAliases('adapter-sqlite') },
  test: {
    name: 'adapter-sqlite',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The two-process test starts a child Node (tsx) and contract tests run real transactions
    // on a busy shared machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
