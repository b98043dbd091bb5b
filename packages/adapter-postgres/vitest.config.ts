import { defineProject } from 'vitest/config';
import { sqlAdapterAliases } from '../sql-kit/config/vitest-preset.js';

export default defineProject({
  resolve: { alias: sqlAdapterAliases('adapter-postgres') },
  test: {
    name: 'adapter-postgres',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Projects do not inherit the root config's timeouts; loaded CI machines need headroom.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
