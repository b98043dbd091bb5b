import { NotFoundError } from '@stockroom/core';
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
export function adminRoutes({ jobs }: { jobs: JobRunner }): Route[] {
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
      idempotency: 'http',
      success: { status: 200, description: 'What the run did', schema: JobResultSchema },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params }) {
        if (!jobs.has(params.name)) throw new NotFoundError('job', params.name);
        return { job: params.name, processed: await jobs.run(params.name) };
      },
    }),
  ];
}
