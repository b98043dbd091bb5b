import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, restock } from './suites/helpers.js';
import { startTestServer, type TestServer } from './support.js';

/** Finding 5: what the reconciliation finds is reported — response, log, metrics, endpoint. */
describe('reconciliation findings are first-class', () => {
  const lines: Record<string, unknown>[] = [];
  let server: TestServer;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer(
      { kind: 'sqlite' },
      {},
      { logger: pino({ level: 'info' }, sink) },
    );
    await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 404 before the first run', async () => {
    expectProblem(await server.call('GET', '/api/v1/admin/reconciliation'), 404, 'NOT_FOUND');
    expectProblem(
      await server.call('GET', '/api/v1/admin/reconciliation', { as: 'readonly' }),
      403,
      'FORBIDDEN',
    );
  });

  it('reports a row put out of line with its ledger, without repair', async () => {
    await restock(server, 'REC-1', 'paris', 5);
    await restock(server, 'REC-2', 'paris', 4);
    // Put one row out of line with its ledger, behind the store's back.
    const filename = (server.service.stockroom.store as unknown as { filename: string }).filename;
    const database = new Database(filename);
    database
      .prepare(
        "UPDATE stock SET available = available + 1, total = total + 1 WHERE sku = 'REC-1' AND warehouse_id = 'paris'",
      )
      .run();
    database.close();

    const run = await server.call('POST', '/api/v1/admin/jobs/reconcile/run');
    expect(run.status, run.text).toBe(200);
    const finding = {
      sku: 'REC-1',
      warehouseId: 'paris',
      kind: 'ledger',
      bucket: 'available',
      stored: 6,
      expected: 5,
    };
    expect(run.body).toMatchObject({
      job: 'reconcile',
      processed: 2,
      report: {
        checked: 2,
        repair: false,
        repaired: 0,
        discrepancies: { total: 1, ledger: 1, reserved: 0 },
        truncated: false,
      },
    });
    expect(run.body.report.findings).toContainEqual(finding);

    const warnings = lines.filter((line) => line.level === 40 && line.job === 'reconcile');
    expect(warnings.map((line) => line.finding).filter(Boolean)).toContainEqual(finding);

    const metrics = (await server.call('GET', '/metrics', { as: 'none' })).text;
    expect(metrics).toMatch(/^stockroom_reconcile_discrepancies\{kind="ledger"\} 1$/m);
    expect(metrics).toMatch(/^stockroom_reconcile_discrepancies\{kind="reserved"\} 0$/m);
    expect(metrics).toMatch(/^stockroom_reconcile_last_run_timestamp_seconds \d+/m);

    const report = await server.call('GET', '/api/v1/admin/reconciliation');
    expect(report.status).toBe(200);
    expect(report.body).toEqual(run.body.report);
  });

  it('counts backordered buckets and receipts whose preorders do not add up, and lists both', async () => {
    const created = await server.call('POST', '/api/v1/receipts', {
      body: { sku: 'REC-3', warehouseId: 'paris', quantity: 8, expectedAt: '2027-01-01T00:00:00Z' },
    });
    expect(created.status, created.text).toBe(201);
    // A waiting unit no reservation line waits for, and a promise no preorder line holds.
    const filename = (server.service.stockroom.store as unknown as { filename: string }).filename;
    const database = new Database(filename);
    database
      .prepare("UPDATE stock SET backordered = 2 WHERE sku = 'REC-2' AND warehouse_id = 'paris'")
      .run();
    database
      .prepare('UPDATE incoming_receipts SET preordered_quantity = 3 WHERE id = ?')
      .run(created.body.id);
    database.close();

    const run = await server.call('POST', '/api/v1/admin/jobs/reconcile/run');
    expect(run.status, run.text).toBe(200);
    expect(run.body.report.discrepancies).toEqual({
      total: 4,
      ledger: 2,
      reserved: 0,
      backordered: 1,
      preordered: 1,
    });
    expect(run.body.report.findings).toContainEqual({
      sku: 'REC-2',
      warehouseId: 'paris',
      kind: 'backordered',
      bucket: 'backordered',
      stored: 2,
      expected: 0,
    });
    const receiptFinding = {
      receiptId: created.body.id,
      sku: 'REC-3',
      warehouseId: 'paris',
      kind: 'preordered',
      stored: 3,
      expected: 0,
    };
    expect(run.body.report.receiptFindings).toEqual([receiptFinding]);
    const warnings = lines.filter((line) => line.level === 40 && line.job === 'reconcile');
    expect(warnings.map((line) => line.finding).filter(Boolean)).toContainEqual(receiptFinding);
    const metrics = (await server.call('GET', '/metrics', { as: 'none' })).text;
    expect(metrics).toMatch(/^stockroom_reconcile_discrepancies\{kind="backordered"\} 1$/m);
    expect(metrics).toMatch(/^stockroom_reconcile_discrepancies\{kind="preordered"\} 1$/m);
  });
});
