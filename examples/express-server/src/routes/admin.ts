import { NotFoundError, type Stockroom } from '@stockroom/core';
import { JOB_NAMES, type JobRunner } from '../jobs.js';
import { HttpProblem } from '../problem-details.js';
import { type ReconcileReports, ROW_FINDING_KINDS } from '../reconcile-report.js';
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

const Finding = z.strictObject({
  sku: z.string(),
  warehouseId: z.string(),
  kind: z.enum(ROW_FINDING_KINDS).openapi({
    description:
      'ledger: the row differs from the replay of its movements; reserved: from its active holds; backordered: its backordered bucket differs from the units its waiting reservation lines wait for (never repaired)',
  }),
  bucket: z.enum(['available', 'reserved', 'damaged', 'inTransit', 'backordered']),
  stored: z.number().int(),
  expected: z.number().int(),
});

const ReceiptFinding = z.strictObject({
  receiptId: z.string(),
  sku: z.string(),
  warehouseId: z.string(),
  kind: z.literal('preordered').openapi({
    description:
      "an open receipt's preorderedQuantity differs from the preordered units of the active reservation lines pointing at it (never repaired)",
  }),
  stored: z.number().int().openapi({ description: "the receipt's preorderedQuantity" }),
  expected: z.number().int().openapi({ description: 'the sum over its preorder lines' }),
});

const ReconcileReportSchema = z
  .strictObject({
    finishedAt: z.iso.datetime(),
    checked: z.number().int().min(0),
    repair: z.boolean(),
    repaired: z.number().int().min(0),
    discrepancies: z.strictObject({
      total: z.number().int().min(0),
      ledger: z.number().int().min(0),
      reserved: z.number().int().min(0),
      backordered: z.number().int().min(0),
      preordered: z.number().int().min(0),
    }),
    findings: z.array(Finding),
    receiptFindings: z.array(ReceiptFinding),
    truncated: z.boolean(),
  })
  .openapi('ReconcileReport');

const JobResultSchema = z
  .strictObject({
    job: z.enum(JOB_NAMES),
    processed: z.number().int().min(0).openapi({ description: 'Items the run processed' }),
    report: ReconcileReportSchema.optional().openapi({
      description: 'reconcile only: what the run found, counted per kind',
    }),
  })
  .openapi('JobRun');

/** /admin. */
export function adminRoutes({
  jobs,
  stockroom,
  reconcileReports,
}: {
  jobs: JobRunner;
  stockroom: Stockroom;
  reconcileReports?: ReconcileReports;
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
        return stockroom.runOnce(`run-job:${name}`, { name }, call.change, async () => {
          const processed = await jobs.run(name);
          const report = name === 'reconcile' ? reconcileReports?.last : undefined;
          return { job: name, processed, ...(report ? { report } : {}) };
        });
      },
    }),
    defineRoute({
      operationId: 'getReconciliationReport',
      method: 'get',
      path: '/admin/reconciliation',
      tag: 'Admin',
      summary: "The last reconciliation's report",
      description:
        'What the last reconcile run of this instance found: rows checked, findings counted per kind, and the findings. 404 before the first run.',
      roles: ADMIN,
      success: { status: 200, description: 'The report', schema: ReconcileReportSchema },
      failures: ['NOT_FOUND'],
      async handle() {
        const report = reconcileReports?.last;
        if (!report) {
          throw new HttpProblem('NOT_FOUND', 'No reconciliation has run on this instance yet');
        }
        return report;
      },
    }),
  ];
}
