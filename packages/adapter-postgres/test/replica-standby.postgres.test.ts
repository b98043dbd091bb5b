import { createStockroom } from '@stockroom/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStockStore, type ReplicaReads } from '../src/index.js';
import { type StandbyPair, standbySkipReason, startStandbyPair } from './standby.js';

const skipReason = standbySkipReason();

describe.skipIf(skipReason)('reads against a real streaming standby', () => {
  let pair: StandbyPair;
  beforeAll(async () => {
    pair = await startStandbyPair();
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  /**
   * One writer restocks a SKU `writes` times as fast as it can; `checkers` callers check it
   * meanwhile. Each check remembers how many restocks had committed when it started and
   * compares with the row version in the answer (version = restocks + 1).
   */
  /**
   * Waits (at most 30 s) until the standby has replayed the schema's creation: the load measures
   * lag on rows, not a standby that does not hold the tables yet. Replication gives no event to
   * wait on, so the standby is asked until it answers.
   */
  async function standbyHasSchema(schema: string): Promise<void> {
    const client = new pg.Client({ connectionString: pair.standbyUrl });
    await client.connect();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await client.query<{ found: string | null }>(
          'SELECT to_regclass($1) AS found',
          [`${schema}.stock`],
        );
        if (rows[0]?.found) return;
        if (Date.now() > deadline) throw new Error(`the standby never showed ${schema}.stock`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await client.end();
    }
  }

  async function underWriteLoad(schema: string, replicaReads: ReplicaReads) {
    const store = createPostgresStockStore({
      connectionString: pair.primaryUrl,
      readConnectionString: pair.standbyUrl,
      schema,
      migrate: true,
      replicaReads,
    });
    const stockroom = createStockroom({ store });
    try {
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      const restock = () =>
        stockroom.adjustments.adjust({
          sku: 'HOT',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 1,
        });
      await restock();
      await standbyHasSchema(schema);
      let committed = 1;
      let writing = true;
      let checks = 0;
      let older = 0;
      const writer = (async () => {
        for (let index = 0; index < 300; index += 1) {
          await restock();
          committed += 1;
        }
        writing = false;
      })();
      const checker = async () => {
        while (writing) {
          const floor = committed;
          const answer = await stockroom.availability.check({ sku: 'HOT', quantity: 1 });
          checks += 1;
          const seen = answer.rowVersions.paris ?? 0;
          if (seen < floor) older += 1;
        }
      };
      await Promise.all([writer, ...Array.from({ length: 8 }, checker)]);
      const stats = { ...store.replicaStats! };
      const lag = await store.replicaLag();
      return {
        checks,
        older,
        stats,
        lag,
        final: await stockroom.availability.check({ sku: 'HOT', quantity: 1 }),
      };
    } finally {
      await stockroom.close();
    }
  }

  it("'fresh' (the default): 0 checks older than the last committed write, most served by the standby", async () => {
    const result = await underWriteLoad('fresh_load', 'fresh');
    const served = result.stats.replicaReads + result.stats.primaryReads;
    const share = result.stats.replicaReads / served;
    process.stdout.write(
      `[standby] fresh: ${result.checks} checks during 300 writes, ${result.older} older than the last write; ` +
        `standby served ${(share * 100).toFixed(1)}% (${result.stats.replicaReads}/${served}, ${result.stats.waited} after waiting for replay), lag now ${result.lag?.bytes} bytes\n`,
    );
    expect(result.checks).toBeGreaterThan(100);
    expect(result.older).toBe(0);
    expect(result.final.availableQuantity).toBe(301);
    expect(share).toBeGreaterThan(0.5);
  }, 120_000);

  it("'eventual': the same load does see the standby's lag (the test can tell)", async () => {
    const result = await underWriteLoad('eventual_load', 'eventual');
    process.stdout.write(
      `[standby] eventual: ${result.checks} checks, ${result.older} older than the last committed write\n`,
    );
    expect(result.stats.primaryReads).toBe(0);
    expect(result.older).toBeGreaterThan(0);
  }, 120_000);
});
