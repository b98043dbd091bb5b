import type { Options } from 'tsup';

/**
 * The build both SQL adapters share: ESM + CJS with types, the SQL kit inlined (code and
 * declarations, so the packed adapter depends on no private package), the core left external
 * (it is a peer and must never be inlined).
 */
export const sqlAdapterBuild: Options = {
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { resolve: ['@stockroom/sql-kit'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  noExternal: ['@stockroom/sql-kit'],
  external: ['@stockroom/core'],
};
