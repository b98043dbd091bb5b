import { defineConfig } from 'tsup';
import { sqlAdapterBuild } from '../sql-kit/config/tsup-preset.js';

// Shims: the CommonJS build gets `import.meta.url` (the checkpointer finds better-sqlite3 from it).
export default defineConfig({ ...sqlAdapterBuild, shims: true });
