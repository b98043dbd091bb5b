import { defineProject } from 'vitest/config';
import { sqlAdapterProject } from '../sql-kit/config/vitest-preset.js';

// Projects do not inherit the root config's timeouts; loaded CI machines need headroom.
export default defineProject(
  sqlAdapterProject('adapter-postgres', { testTimeout: 60_000, hookTimeout: 120_000 }),
);
