import { describe, expect, it } from 'vitest';
import { plainReserveBody, reserveBody } from '../src/schemas/reservation.js';

const MAX_LIFETIME = 3600;
const schema = reserveBody(MAX_LIFETIME);
const plain = plainReserveBody(MAX_LIFETIME);

/** What the schema gives, with its field order (toEqual ignores the order of keys). */
function parsed(value: unknown): { readonly json: string; readonly keys: string[] } | undefined {
  const result = schema.safeParse(value);
  return result.success ? shapeOf(result.data) : undefined;
}

function shapeOf(value: unknown) {
  const keys: string[] = [];
  JSON.stringify(value, (key, field: unknown) => {
    keys.push(key);
    return field;
  });
  return { json: JSON.stringify(value), keys };
}

/** Values a field may take in the generated bodies: valid ones, then others. */
const IDS = [
  ['SKU-1', 'A', 'x'.repeat(128)],
  ['x'.repeat(129), '', ' A', 'A\ud800', 7, null, ['A']],
];
const COUNTS = [
  [1, 5, 3600, 1_000_000_000],
  [1_000_000_001, 3601, 0, -1, 1.5, '2', null, true],
];

/** A small deterministic generator (the cases are the same on every run). */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * below);
  };
}

function pick<T>(next: (below: number) => number, values: readonly T[]): T {
  return values[next(values.length)]!;
}

/** A valid value nine times in ten. */
function field(next: (below: number) => number, values: readonly (readonly unknown[])[]): unknown {
  return pick(next, values[next(10) === 0 ? 1 : 0]!);
}

function randomItem(next: (below: number) => number): unknown {
  switch (next(40)) {
    case 0:
      return field(next, IDS);
    case 1:
      return [];
    default: {
      const item: Record<string, unknown> = {};
      if (next(40) > 0) item.sku = field(next, IDS);
      if (next(40) > 0) item.quantity = field(next, COUNTS);
      if (next(3) === 0) item.warehouseId = field(next, IDS);
      if (next(40) === 0) item.kitSku = 'KIT';
      return item;
    }
  }
}

function randomBody(next: (below: number) => number): unknown {
  if (next(20) === 0) return pick(next, [null, [], 'items', 3, undefined]);
  const body: Record<string, unknown> = {};
  const count = pick(next, [0, 1, 1, 1, 2, 3, 100, 101]);
  if (next(10) > 0) body.items = Array.from({ length: count }, () => randomItem(next));
  if (next(3) === 0) body.orderId = field(next, IDS);
  if (next(3) === 0) body.userId = field(next, IDS);
  if (next(3) === 0) body.ttlSeconds = field(next, COUNTS);
  if (next(10) === 0) body.strategy = 'priority';
  if (next(10) === 0) body.channelId = 'web';
  if (next(15) === 0) body.extra = 1;
  return body;
}

describe('the hand check of a POST /reservations body', () => {
  it('gives what the schema gives, fields in its order, for the common forms', () => {
    const bodies = [
      { items: [{ sku: 'SKU-1', quantity: 1 }] },
      { items: [{ quantity: 2, sku: 'SKU-1' }] },
      { items: [{ warehouseId: 'wh-1', quantity: 2, sku: 'SKU-1' }], ttlSeconds: 3600 },
      {
        userId: 'user-1',
        ttlSeconds: 1,
        items: [
          { sku: 'A', quantity: 1_000_000_000 },
          { sku: 'B', quantity: 3, warehouseId: 'wh-2' },
        ],
        orderId: 'order-1',
      },
      { items: Array.from({ length: 100 }, (_, index) => ({ sku: `S${index}`, quantity: 1 })) },
    ];
    for (const body of bodies) {
      const given = plain(JSON.parse(JSON.stringify(body)));
      expect(given).toBeDefined();
      expect(shapeOf(given)).toEqual(parsed(body));
    }
  });

  it('leaves every other form to the schema', () => {
    const others: unknown[] = [
      undefined,
      null,
      [],
      {},
      { items: [] },
      { items: [{ sku: 'A', quantity: 1 }], strategy: 'priority' },
      { items: [{ sku: 'A', quantity: 1 }], location: { latitude: 1, longitude: 2 } },
      { items: [{ sku: 'A', quantity: 1 }], channelId: 'web' },
      { items: [{ sku: 'A', quantity: 1, kitSku: 'K' }] },
      { items: [{ sku: 'A', quantity: 0 }] },
      { items: [{ sku: 'A ', quantity: 1 }] },
      { items: [{ sku: 'A', quantity: 1 }], ttlSeconds: 3601 },
      { items: [{ sku: 'A', quantity: 1 }], orderId: '' },
      JSON.parse('{"items":[{"sku":"A","quantity":1}],"__proto__":{"x":1}}'),
      JSON.parse('{"items":[{"sku":"A","quantity":1,"__proto__":{}}]}'),
      { items: Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1 })) },
    ];
    for (const body of others) expect(plain(body)).toBeUndefined();
  });

  it('never accepts a body the schema refuses, nor gives another value (4,000 generated bodies)', () => {
    const next = random(19);
    let accepted = 0;
    let refusedBySchema = 0;
    for (let index = 0; index < 4000; index += 1) {
      const body = randomBody(next);
      const fromSchema = parsed(body);
      if (fromSchema === undefined) refusedBySchema += 1;
      const given = plain(body);
      if (given === undefined) continue;
      accepted += 1;
      expect(shapeOf(given)).toEqual(fromSchema);
    }
    // The generator reaches both sides: bodies the hand check takes, and bodies the schema refuses.
    expect(accepted).toBeGreaterThan(100);
    expect(refusedBySchema).toBeGreaterThan(1000);
    expect(accepted + refusedBySchema).toBeLessThan(4000);
  });
});
