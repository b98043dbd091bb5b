import { describe, expect, it } from 'vitest';
import type { StockTransaction } from '../ports/stock-store.js';
import { type LaneStats, type Transact, WriteLanes } from './write-lanes.js';

/**
 * A store whose transactions stay open until the test lets them finish: records which jobs
 * each transaction (batch) ran and how many were open at once.
 */
function heldStore() {
  const open: Array<{ jobs: string[]; finish: () => void }> = [];
  const batches: string[][] = [];
  let most = 0;
  const transact: Transact = async (work) => {
    const entry = { jobs: [] as string[], finish: () => {} };
    const gate = new Promise<void>((resolve) => {
      entry.finish = resolve;
    });
    open.push(entry);
    most = Math.max(most, open.length);
    const transaction = {
      stock: { read: async () => [] },
      history: {},
      outbox: {},
      idempotency: {},
      entry,
    } as unknown as StockTransaction;
    try {
      const value = await work(transaction);
      await gate;
      return value;
    } finally {
      open.splice(open.indexOf(entry), 1);
      batches.push(entry.jobs);
    }
  };
  return {
    transact,
    open,
    batches,
    get most() {
      return most;
    },
    /** The job's work: records it on the transaction it runs in. */
    job: (name: string) => async (transaction: StockTransaction) => {
      (transaction as unknown as { entry: { jobs: string[] } }).entry.jobs.push(name);
      return name;
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const newStats = (): LaneStats => ({ count: 0, requests: 0, largest: 0 });

const settle = async () => {
  for (let index = 0; index < 5; index += 1) await turn();
};
const openJobs = (store: ReturnType<typeof heldStore>) => store.open.map((entry) => entry.jobs);

describe('WriteLanes with batches in flight', () => {
  it('runs a batch over other SKUs while one is open, and never two on one SKU', async () => {
    const store = heldStore();
    const lanes = new WriteLanes(store.transact, 1, 256, newStats(), {
      commands: true,
      batchesInFlight: 2,
    });
    const done = [
      lanes.run(['A'], store.job('a1')),
      lanes.run(['B'], store.job('b1')),
      lanes.run(['A'], store.job('a2')),
      lanes.run(['C', 'A'], store.job('ca')),
      lanes.run(['D'], store.job('d1')),
    ];
    await settle();
    // The first job starts alone; the others meet in a second batch, but A's wait for A.
    expect(openJobs(store)).toEqual([['a1'], ['b1', 'd1']]);
    const later = lanes.run(['A', 'B'], store.job('ab'));
    await settle();
    expect(openJobs(store)).toEqual([['a1'], ['b1', 'd1']]);
    store.open[0]!.finish();
    await settle();
    // A is free again (B is not): A's jobs run, in arrival order; ab still waits.
    expect(openJobs(store)).toEqual([
      ['b1', 'd1'],
      ['a2', 'ca'],
    ]);
    store.open[0]!.finish();
    await settle();
    expect(openJobs(store)).toEqual([['a2', 'ca']]);
    store.open[0]!.finish();
    await settle();
    expect(openJobs(store)).toEqual([['ab']]);
    store.open[0]!.finish();
    expect(await Promise.all([...done, later])).toEqual(['a1', 'b1', 'a2', 'ca', 'd1', 'ab']);
    expect(store.most).toBe(2);
  });

  it('keeps a hot SKU crowd in one batch, one batch at a time', async () => {
    const store = heldStore();
    const lanes = new WriteLanes(store.transact, 1, 256, newStats(), {
      commands: true,
      batchesInFlight: 2,
    });
    const first = lanes.run(['HOT'], store.job('h0'));
    const crowd = Array.from({ length: 9 }, (_, index) =>
      lanes.run(['HOT'], store.job(`h${index + 1}`)),
    );
    await settle();
    expect(openJobs(store)).toEqual([['h0']]);
    store.open[0]!.finish();
    await settle();
    expect(openJobs(store)).toEqual([['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9']]);
    store.open[0]!.finish();
    await Promise.all([first, ...crowd]);
    expect(store.most).toBe(1);
  });

  it('splits waiting jobs over disjoint SKUs between the free batches', async () => {
    const store = heldStore();
    const lanes = new WriteLanes(store.transact, 1, 256, newStats(), {
      commands: true,
      batchesInFlight: 2,
    });
    const first = lanes.run(['X'], store.job('x'));
    await settle();
    const others = ['a', 'b', 'c', 'd'].map((sku) => lanes.run([sku], store.job(sku)));
    await settle();
    // One batch was free while x ran: every waiting job went into it.
    expect(openJobs(store)).toEqual([['x'], ['a', 'b', 'c', 'd']]);
    for (const entry of [...store.open]) entry.finish();
    await settle();
    const more = ['e', 'f', 'g', 'h'].map((sku) => lanes.run([sku], store.job(sku)));
    await settle();
    // Nothing ran: the first arrival starts alone, the next ones share the other free batch.
    expect(openJobs(store)).toEqual([['e'], ['f', 'g', 'h']]);
    for (const entry of [...store.open]) entry.finish();
    expect(await Promise.all([first, ...others, ...more])).toEqual([
      'x',
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
    ]);
  });

  it('with one batch in flight (the default) runs one batch at a time, every waiting job in it', async () => {
    const store = heldStore();
    const lanes = new WriteLanes(store.transact, 1, 256, newStats());
    const first = lanes.run(['A'], store.job('a'));
    await settle();
    const others = [lanes.run(['B'], store.job('b')), lanes.run(['C'], store.job('c'))];
    await settle();
    expect(openJobs(store)).toEqual([['a']]);
    store.open[0]!.finish();
    await settle();
    expect(openJobs(store)).toEqual([['b', 'c']]);
    store.open[0]!.finish();
    await Promise.all([first, ...others]);
    expect(store.batches).toEqual([['a'], ['b', 'c']]);
    expect(store.most).toBe(1);
  });
});

describe('WriteLanes that gather', () => {
  const gathering = (store: ReturnType<typeof heldStore>) =>
    new WriteLanes(store.transact, 1, 256, newStats(), { commands: true, gather: true });

  it("waits a turn with an idle lane's first job, for the jobs arriving with it", async () => {
    const store = heldStore();
    const lanes = gathering(store);
    const jobs = ['a', 'b', 'c'].map((name) => lanes.run(['A'], store.job(name)));
    await settle();
    expect(openJobs(store)).toEqual([['a', 'b', 'c']]);
    store.open[0]!.finish();
    expect(await Promise.all(jobs)).toEqual(['a', 'b', 'c']);
  });

  it('turns again while jobs keep arriving, up to as many as the last batch held', async () => {
    const store = heldStore();
    const lanes = gathering(store);
    const jobs = ['a', 'b', 'c'].map((name) => lanes.run(['A'], store.job(name)));
    await settle();
    store.open[0]!.finish();
    await settle();
    // Callers answered by a batch of three come back one per turn (as HTTP clients do).
    setImmediate(() => {
      jobs.push(lanes.run(['A'], store.job('e')));
      setImmediate(() => {
        jobs.push(lanes.run(['A'], store.job('f')));
        setImmediate(() => jobs.push(lanes.run(['A'], store.job('g'))));
      });
    });
    jobs.push(lanes.run(['A'], store.job('d')));
    await settle();
    expect(openJobs(store)).toEqual([['d', 'e', 'f']]);
    store.open[0]!.finish();
    await settle();
    expect(openJobs(store)).toEqual([['g']]);
    store.open[0]!.finish();
    expect(await Promise.all(jobs)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(store.batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
  });

  it('cuts when a turn brings nothing new', async () => {
    const store = heldStore();
    const lanes = gathering(store);
    const jobs = ['a', 'b', 'c'].map((name) => lanes.run(['A'], store.job(name)));
    await settle();
    store.open[0]!.finish();
    await settle();
    jobs.push(lanes.run(['A'], store.job('d')));
    await settle();
    expect(openJobs(store)).toEqual([['d']]);
    store.open[0]!.finish();
    expect(await Promise.all(jobs)).toEqual(['a', 'b', 'c', 'd']);
  });
});
