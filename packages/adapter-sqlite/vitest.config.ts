import { defineProject } from 'vitest/config';
import { sqlAdapterProject } from '../sql-kit/config/vitest-preset.js';

// The two-process test starts a child Node (tsx) and contract tests run real transactions on a
// busy shared machine.
export default defineProject(
  sqlAdapterProject('adapter-sqlite', { testTimeout: 60_000, hookTimeout: 60_000 }),
);
