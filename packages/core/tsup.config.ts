import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'adapter-kit': 'src/adapter-kit.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  // Shared chunks for CJS too: the entries share one copy of each class (errors, AsyncMutex), so
  // `instanceof` holds across `@stockroom/core` and its subpaths under `require` as under `import`.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['vitest'],
});
