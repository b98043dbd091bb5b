import { randomBytes } from 'node:crypto';
import { unavailableService } from '@stockroom/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockroom, workspace } from './support.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function query(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

const skip = unavailableService(
  'PostgreSQL',
  await query('SELECT 1').then(
    () => true,
    () => false,
  ),
  DATABASE_URL.replace(/\/\/[^@]*@/, '//'),
);

describe.skipIf(skip)('stockroom against PostgreSQL', () => {
  const schema = `sr_cli_${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  let dir: string;
  let cleanup: () => Promise<void>;
  const env = () => ({ DATABASE_URL, DATABASE_SCHEMA: schema });

  beforeAll(async () => {
    ({ dir, cleanup } = await workspace());
  });
  afterAll(async () => {
    await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await cleanup();
  });

  it('migrates (once), seeds, looks up, exports and reconciles', async () => {
    const first = await stockroom(['migrate', '--json'], { cwd: dir, env: env() });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied.length).toBeGreaterThan(0);
    const second = await stockroom(['migrate', '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(second.stdout).applied).toEqual([]);

    const seeded = await stockroom(['seed', '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(seeded.stdout)).toMatchObject({ seeded: true, warehouses: 5, rows: 905 });
    const stock = await stockroom(['stock', 'TSHIRT-BLACK-M', '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(stock.stdout)).toMatchObject({ available: 77, reserved: 0, total: 77 });
    const exported = await stockroom(['export'], { cwd: dir, env: env() });
    expect(exported.stdout.trim().split('\n')).toHaveLength(906);

    await query(
      `UPDATE "${schema}".stock SET damaged = damaged + 2, total = total + 2 WHERE sku = 'TSHIRT-BLACK-M' AND warehouse_id = 'paris'`,
    );
    const reconciled = await stockroom(['reconcile', '--json'], { cwd: dir, env: env() });
    expect(reconciled.code).toBe(3);
    expect(JSON.parse(reconciled.stdout).discrepancies).toEqual([
      {
        sku: 'TSHIRT-BLACK-M',
        warehouseId: 'paris',
        kind: 'ledger',
        bucket: 'damaged',
        stored: 2,
        expected: 0,
      },
    ]);
  });
});
