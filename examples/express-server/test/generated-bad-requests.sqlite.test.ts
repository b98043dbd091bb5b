import { defineGeneratedBadRequestTests } from './generated-bad-requests.js';

defineGeneratedBadRequestTests('SQLite', async () => ({ kind: 'sqlite' }));
