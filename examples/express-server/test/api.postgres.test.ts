import { defineApiSuite } from './api-suite.js';
import { DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from './support.js';

const schema = uniqueSchema('api');

defineApiSuite('PostgreSQL', async () => ({ kind: 'postgres', url: DATABASE_URL, schema }), {
  skip: await postgresSkipReason(),
  cleanup: () => dropSchema(schema),
});
