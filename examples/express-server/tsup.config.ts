import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { server: 'src/server.ts', seed: 'src/seed.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The workspace packages and every npm dependency stay external: they are resolved from
  // node_modules at run time, so a rebuilt adapter is picked up without rebuilding the server.
  external: [/^@stockroom\//, /^[^./]/],
});
