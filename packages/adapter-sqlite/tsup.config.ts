import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  // The SQL kit is private: its code and types are inlined, so users install nothing more.
  dts: { resolve: ['@stockroom/sql-kit'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  noExternal: ['@stockroom/sql-kit'],
  // The core is a peer: never inline it.
  external: ['@stockroom/core'],
});
