import { defineGeneratedBadRequestTests } from './generated-bad-requests.js';
import { DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from './support.js';

const schema = uniqueSchema('gen');

defineGeneratedBadRequestTests(
  'PostgreSQL',
  async () => ({ kind: 'postgres', url: DATABASE_URL, schema }),
  { skip: await postgresSkipReason(), cleanup: () => dropSchema(schema) },
);
