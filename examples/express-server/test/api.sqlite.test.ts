import { defineApiSuite } from './api-suite.js';

defineApiSuite('SQLite (temp dir)', async () => ({ kind: 'sqlite' }));
