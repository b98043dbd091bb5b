import { defineConfig } from 'tsup';
import { sqlAdapterBuild } from '../sql-kit/config/tsup-preset.js';

export default defineConfig(sqlAdapterBuild);
