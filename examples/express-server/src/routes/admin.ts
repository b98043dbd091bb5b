import { NotFoundError, type Stockroom } from '@stockroom/core';
import { JOB_NAMES, type JobRunner } from '../jobs.js';
import { Id } from '../schemas/common.js';
import { EmptyBody } from '../schemas/reservation.js';
import { z } from '../schemas/zod.js';
import { ADMIN, defineRoute, type Route } from './define-route.js';

const JobParams = z.strictObject({
  name: Id.openapi({
    description: `One of ${JOB_NAMES.join(', ')}`,
    example: 'expire-reservations',
  }),
});

const JobResultSchema = z
  .strictObject({
    job: z.enum(JOB_NAMES),
    processed: z.number().int().min(0).openapi({ description: 'Items the run processed' }),
  })
  .openapi('JobRun');

/** /admin. */
export function adminRoutes({
  jobs,
  stockroom,
}: {
  jobs: JobRunner;
  stockroom: Stockroom;
}): Route[] {
  return [
    defineRoute({
      operationId: 'runJob',
      method: 'post',
      path: '/admin/jobs/:name/run',
      tag: 'Admin',
      summary: 'Run a background job now',
      description: `Jobs: ${JOB_NAMES.join(', ')}. An unknown name answers 404.`,
      roles: ADMIN,
      params: JobParams,
      body: EmptyBody,
      success: { status: 200, description: 'What the run did', schema: JobResultSchema },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params }, call) {
        const name = params.name;
        if (!jobs.has(name)) throw new NotFoundError('job', name);
        // With an Idempotency-Key the run happens once across every instance on the store;
        // concurrent and later calls with the key get the first run's answer as a replay.
        return stockroom.runOnce(`run-job:${name}`, { name }, call.change, async () => ({
          job: name,
          processed: await jobs.run(name),
        }));
      },
    }),
  ];
}
