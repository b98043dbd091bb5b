import { defineConfig } from 'vitest/config';

// One run over every workspace: each package's tests are a project. Under CI a JSON report is
// written too, from which .ci/run prints its closing "N passed, N failed" line.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'tests'],
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.ci-results/vitest.json' },
  },
});
