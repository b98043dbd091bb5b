import { defineConfig } from 'vitest/config';

// One run over every workspace: each package's tests are a project.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
