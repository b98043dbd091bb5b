import { describe, expect, it } from 'vitest';
import { allocate } from './allocate.js';
import type {
  AllocatableStock,
  AllocatableWarehouse,
  AllocationLine,
  AllocationOptions,
} from './allocation-plan.js';

const paris = { latitude: 48.8566, longitude: 2.3522 };

function warehouse(
  id: string,
  overrides: Partial<AllocatableWarehouse> = {},
): AllocatableWarehouse {
  return {
    id,
    status: 'ACTIVE',
    latitude: null,
    longitude: null,
    priority: 0,
    country: null,
    region: null,
    ...overrides,
  };
}

// Distances from Paris: PAR ≈ 1 km, LON ≈ 344, LYO ≈ 392, BER ≈ 878, NYC ≈ 5837.
const PAR = warehouse('PAR', {
  latitude: 48.85,
  longitude: 2.35,
  priority: 3,
  country: 'FR',
  region: 'EU',
});
const LON = warehouse('LON', {
  latitude: 51.5074,
  longitude: -0.1278,
  priority: 4,
  country: 'GB',
  region: 'UK',
});
const LYO = warehouse('LYO', {
  latitude: 45.764,
  longitude: 4.8357,
  priority: 2,
  country: 'FR',
  region: 'EU',
});
const BER = warehouse('BER', {
  latitude: 52.52,
  longitude: 13.405,
  priority: 1,
  country: 'DE',
  region: 'EU',
});
const NYC = warehouse('NYC', {
  latitude: 40.7128,
  longitude: -74.006,
  priority: 0,
  country: 'US',
  region: 'US-EAST',
});
const ALL = [PAR, LON, LYO, BER, NYC];

function row(sku: string, warehouseId: string, available: number): AllocatableStock {
  return { sku, warehouseId, available };
}

function line(sku: string, quantity: number, warehouseId?: string): AllocationLine {
  return warehouseId === undefined ? { sku, quantity } : { sku, quantity, warehouseId };
}

describe('allocate: nearest', () => {
  const stock = [row('A', 'PAR', 2), row('A', 'LON', 5), row('A', 'BER', 10)];

  it('fills greedily from the nearest, splitting across warehouses', () => {
    expect(allocate([line('A', 6)], stock, ALL, { strategy: 'nearest', location: paris })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'LON', quantity: 4 },
        { sku: 'A', warehouseId: 'PAR', quantity: 2 },
      ],
    });
  });

  it('is the default when a location is given', () => {
    expect(allocate([line('A', 6)], stock, ALL, { location: paris })).toEqual(
      allocate([line('A', 6)], stock, ALL, { strategy: 'nearest', location: paris }),
    );
  });

  it('takes all from one warehouse when the nearest has enough', () => {
    expect(allocate([line('A', 2)], stock, ALL, { location: paris })).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'PAR', quantity: 2 }],
    });
  });

  it('tries warehouses without coordinates last', () => {
    const nowhere = warehouse('AAA', { priority: -10 });
    const result = allocate(
      [line('A', 4)],
      [row('A', 'AAA', 10), row('A', 'BER', 3)],
      [nowhere, BER],
      { location: paris },
    );
    expect(result).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'AAA', quantity: 1 },
        { sku: 'A', warehouseId: 'BER', quantity: 3 },
      ],
    });
  });

  it('falls back to priority order without a location', () => {
    // Priority: BER (1) before PAR (3) before LON (4).
    expect(allocate([line('A', 11)], stock, ALL, { strategy: 'nearest' })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 10 },
        { sku: 'A', warehouseId: 'PAR', quantity: 1 },
      ],
    });
  });
});

describe('allocate: priority and most-available', () => {
  const stock = [row('A', 'NYC', 1), row('A', 'BER', 2), row('A', 'LYO', 9), row('A', 'PAR', 4)];

  it('priority takes by ascending priority number, greedily', () => {
    // NYC 0, BER 1, LYO 2, PAR 3.
    expect(allocate([line('A', 5)], stock, ALL, { strategy: 'priority' })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 2 },
        { sku: 'A', warehouseId: 'LYO', quantity: 2 },
        { sku: 'A', warehouseId: 'NYC', quantity: 1 },
      ],
    });
  });

  it('priority is the default without a location', () => {
    expect(allocate([line('A', 5)], stock, ALL)).toEqual(
      allocate([line('A', 5)], stock, ALL, { strategy: 'priority' }),
    );
  });

  it('priority ignores the location', () => {
    expect(allocate([line('A', 5)], stock, ALL, { strategy: 'priority', location: paris })).toEqual(
      allocate([line('A', 5)], stock, ALL, { strategy: 'priority' }),
    );
  });

  it('most-available takes by descending availability, greedily', () => {
    // LYO 9, PAR 4, BER 2, NYC 1.
    expect(allocate([line('A', 12)], stock, ALL, { strategy: 'most-available' })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'LYO', quantity: 9 },
        { sku: 'A', warehouseId: 'PAR', quantity: 3 },
      ],
    });
  });

  it('most-available judges availability per SKU', () => {
    const mixed = [row('A', 'PAR', 5), row('A', 'LYO', 2), row('B', 'PAR', 1), row('B', 'LYO', 7)];
    expect(
      allocate([line('A', 3), line('B', 3)], mixed, ALL, { strategy: 'most-available' }),
    ).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'PAR', quantity: 3 },
        { sku: 'B', warehouseId: 'LYO', quantity: 3 },
      ],
    });
  });
});

describe('allocate: pinned lines', () => {
  it('takes a pinned line only from its warehouse, even when another is nearer', () => {
    const stock = [row('A', 'PAR', 5), row('A', 'BER', 5)];
    expect(allocate([line('A', 2, 'BER')], stock, ALL, { location: paris })).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'BER', quantity: 2 }],
    });
  });

  it('gives unpinned lines what the pinned ones leave, and merges per warehouse', () => {
    const stock = [row('A', 'PAR', 5), row('A', 'LON', 5)];
    const lines = [line('A', 4), line('A', 3, 'PAR')];
    expect(allocate(lines, stock, ALL, { location: paris })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'LON', quantity: 2 },
        { sku: 'A', warehouseId: 'PAR', quantity: 5 },
      ],
    });
  });

  it('sums pinned lines per (sku, warehouse) before judging', () => {
    const stock = [row('A', 'PAR', 3), row('A', 'LON', 100)];
    expect(allocate([line('A', 2, 'PAR'), line('A', 2, 'PAR')], stock, ALL)).toEqual({
      kind: 'shortfall',
      shortfalls: [{ sku: 'A', warehouseId: 'PAR', requested: 4, available: 3 }],
    });
  });

  it('reports the unpinned remainder after pins as available', () => {
    const stock = [row('A', 'PAR', 3), row('A', 'LON', 2)];
    expect(allocate([line('A', 3, 'PAR'), line('A', 3)], stock, ALL)).toEqual({
      kind: 'shortfall',
      shortfalls: [{ sku: 'A', requested: 3, available: 2 }],
    });
  });

  it('treats a pin to an inactive or unknown warehouse as 0 available', () => {
    const closed = warehouse('OLD', { status: 'INACTIVE' });
    const stock = [row('A', 'OLD', 10), row('A', 'GONE', 10), row('A', 'PAR', 10)];
    expect(
      allocate([line('A', 1, 'OLD'), line('A', 1, 'GONE'), line('A', 1)], stock, [...ALL, closed]),
    ).toEqual({
      kind: 'shortfall',
      shortfalls: [
        { sku: 'A', warehouseId: 'GONE', requested: 1, available: 0 },
        { sku: 'A', warehouseId: 'OLD', requested: 1, available: 0 },
      ],
    });
  });
});

describe('allocate: shortfalls', () => {
  it('sums lines of the same SKU before judging availability', () => {
    expect(allocate([line('A', 3), line('A', 3)], [row('A', 'PAR', 5)], ALL)).toEqual({
      kind: 'shortfall',
      shortfalls: [{ sku: 'A', requested: 6, available: 5 }],
    });
  });

  it('is all or nothing, listing every short SKU sorted', () => {
    const stock = [row('A', 'PAR', 5), row('B', 'PAR', 1), row('C', 'LON', 1), row('C', 'BER', 1)];
    const lines = [line('C', 3), line('A', 5), line('B', 2)];
    expect(allocate(lines, stock, ALL, { location: paris })).toEqual({
      kind: 'shortfall',
      shortfalls: [
        { sku: 'B', requested: 2, available: 1 },
        { sku: 'C', requested: 3, available: 2 },
      ],
    });
  });

  it('reports a SKU with no stock anywhere as 0 available', () => {
    expect(allocate([line('Z', 1)], [row('A', 'PAR', 5)], ALL)).toEqual({
      kind: 'shortfall',
      shortfalls: [{ sku: 'Z', requested: 1, available: 0 }],
    });
  });

  it('is the same whatever the strategy', () => {
    const stock = [row('A', 'PAR', 2), row('A', 'LON', 2)];
    for (const strategy of ['nearest', 'priority', 'most-available', 'fewest-shipments'] as const) {
      expect(allocate([line('A', 5)], stock, ALL, { strategy, location: paris })).toEqual({
        kind: 'shortfall',
        shortfalls: [{ sku: 'A', requested: 5, available: 4 }],
      });
    }
  });
});

describe('allocate: warehouse status and rows', () => {
  const maintenance = warehouse('MNT', { status: 'MAINTENANCE', priority: -1, ...paris });
  const inactive = warehouse('INA', { status: 'INACTIVE', priority: -1, ...paris });
  const warehouses = [maintenance, inactive, LON];
  const stock = [
    row('A', 'MNT', 50),
    row('A', 'INA', 50),
    row('A', 'NOWHERE', 50),
    row('A', 'LON', 3),
  ];

  it('never allocates from inactive, maintenance or unknown warehouses', () => {
    for (const strategy of ['nearest', 'priority', 'most-available', 'fewest-shipments'] as const) {
      expect(allocate([line('A', 3)], stock, warehouses, { strategy, location: paris })).toEqual({
        kind: 'plan',
        allocations: [{ sku: 'A', warehouseId: 'LON', quantity: 3 }],
      });
    }
  });

  it('counts only ACTIVE stock as available', () => {
    expect(allocate([line('A', 4)], stock, warehouses)).toEqual({
      kind: 'shortfall',
      shortfalls: [{ sku: 'A', requested: 4, available: 3 }],
    });
  });

  it('ignores rows with nothing available', () => {
    const rows = [row('A', 'PAR', 0), row('A', 'LYO', -2), row('A', 'LON', 2)];
    expect(allocate([line('A', 2)], rows, ALL, { location: paris })).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'LON', quantity: 2 }],
    });
    expect(allocate([line('A', 3)], rows, ALL)).toEqual({
      kind: 'shortfall',
      shortfalls: [{ sku: 'A', requested: 3, available: 2 }],
    });
  });
});

describe('allocate: fewest-shipments', () => {
  it('picks one warehouse that fills every line even when another is nearer', () => {
    const stock = [row('A', 'PAR', 5), row('A', 'BER', 5), row('B', 'BER', 5), row('B', 'LON', 5)];
    const lines = [line('A', 2), line('B', 2)];
    expect(allocate(lines, stock, ALL, { strategy: 'fewest-shipments', location: paris })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 2 },
        { sku: 'B', warehouseId: 'BER', quantity: 2 },
      ],
    });
    // The same order under nearest ships from two warehouses.
    expect(allocate(lines, stock, ALL, { strategy: 'nearest', location: paris })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'PAR', quantity: 2 },
        { sku: 'B', warehouseId: 'LON', quantity: 2 },
      ],
    });
  });

  it('otherwise picks the warehouse covering the most units first', () => {
    // NYC covers 6 units, then LON the 3 left: 2 shipments. PAR (nearest, top of the priority
    // list among covering ones) would need 3.
    const stock = [
      row('A', 'NYC', 3),
      row('B', 'NYC', 3),
      row('C', 'LON', 3),
      row('A', 'PAR', 1),
      row('B', 'PAR', 1),
      row('C', 'PAR', 1),
    ];
    const lines = [line('A', 3), line('B', 3), line('C', 3)];
    expect(allocate(lines, stock, ALL, { strategy: 'fewest-shipments', location: paris })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'NYC', quantity: 3 },
        { sku: 'B', warehouseId: 'NYC', quantity: 3 },
        { sku: 'C', warehouseId: 'LON', quantity: 3 },
      ],
    });
  });

  it('breaks equal coverage by distance, then priority, then id', () => {
    const stock = [row('A', 'PAR', 5), row('A', 'BER', 5), row('A', 'NYC', 5)];
    const fewest: AllocationOptions = { strategy: 'fewest-shipments' };
    expect(allocate([line('A', 5)], stock, ALL, { ...fewest, location: paris })).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'PAR', quantity: 5 }],
    });
    expect(allocate([line('A', 5)], stock, ALL, fewest)).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'NYC', quantity: 5 }],
    });
    const twins = [warehouse('W2'), warehouse('W1'), warehouse('W3')];
    const twinStock = [row('A', 'W3', 5), row('A', 'W2', 5), row('A', 'W1', 5)];
    expect(allocate([line('A', 5)], twinStock, twins, fewest)).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'W1', quantity: 5 }],
    });
  });

  it('plans unpinned lines together and keeps pins where they are', () => {
    const stock = [row('A', 'PAR', 5), row('B', 'PAR', 5), row('A', 'BER', 5), row('B', 'LON', 5)];
    const lines = [line('A', 1, 'BER'), line('A', 2), line('B', 2)];
    expect(allocate(lines, stock, ALL, { strategy: 'fewest-shipments' })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 1 },
        { sku: 'A', warehouseId: 'PAR', quantity: 2 },
        { sku: 'B', warehouseId: 'PAR', quantity: 2 },
      ],
    });
  });
});

describe('allocate: regional preference', () => {
  it('tries the preferred country, then region, then the rest, in strategy order', () => {
    const stock = [
      row('A', 'PAR', 1),
      row('A', 'LYO', 1),
      row('A', 'BER', 1),
      row('A', 'LON', 1),
      row('A', 'NYC', 1),
    ];
    const options: AllocationOptions = {
      strategy: 'nearest',
      location: paris,
      preferCountry: 'US',
      preferRegion: 'EU',
    };
    // NYC (US) first; then EU by distance: PAR, LYO, BER; LON (UK) would be next.
    expect(allocate([line('A', 4)], stock, ALL, options)).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 1 },
        { sku: 'A', warehouseId: 'LYO', quantity: 1 },
        { sku: 'A', warehouseId: 'NYC', quantity: 1 },
        { sku: 'A', warehouseId: 'PAR', quantity: 1 },
      ],
    });
  });

  it('uses other warehouses only for what the preferred ones cannot fill', () => {
    const stock = [row('A', 'PAR', 10), row('A', 'BER', 2)];
    expect(allocate([line('A', 5)], stock, ALL, { location: paris, preferCountry: 'DE' })).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 2 },
        { sku: 'A', warehouseId: 'PAR', quantity: 3 },
      ],
    });
  });

  it('applies to priority and most-available too', () => {
    const stock = [row('A', 'NYC', 5), row('A', 'LYO', 9), row('A', 'PAR', 3)];
    expect(
      allocate([line('A', 4)], stock, ALL, { strategy: 'priority', preferRegion: 'EU' }),
    ).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'LYO', quantity: 4 }],
    });
    expect(
      allocate([line('A', 4)], stock, ALL, { strategy: 'most-available', preferCountry: 'US' }),
    ).toEqual({
      kind: 'plan',
      allocations: [{ sku: 'A', warehouseId: 'NYC', quantity: 4 }],
    });
  });

  it('lets a single-warehouse fill in the preferred tier win for fewest-shipments', () => {
    const stock = [row('A', 'PAR', 5), row('B', 'PAR', 5), row('A', 'BER', 5), row('B', 'BER', 5)];
    const lines = [line('A', 2), line('B', 2)];
    expect(
      allocate(lines, stock, ALL, {
        strategy: 'fewest-shipments',
        location: paris,
        preferCountry: 'DE',
      }),
    ).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 2 },
        { sku: 'B', warehouseId: 'BER', quantity: 2 },
      ],
    });
  });

  it('fills fewest-shipments from the preferred tier before any other', () => {
    // BER (preferred) has only A; PAR could fill everything alone but is only used for B.
    const stock = [row('A', 'PAR', 5), row('B', 'PAR', 5), row('A', 'BER', 5)];
    expect(
      allocate([line('A', 2), line('B', 2)], stock, ALL, {
        strategy: 'fewest-shipments',
        preferCountry: 'DE',
      }),
    ).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'BER', quantity: 2 },
        { sku: 'B', warehouseId: 'PAR', quantity: 2 },
      ],
    });
  });
});

describe('allocate: determinism and purity', () => {
  const twins = [warehouse('W3'), warehouse('W1'), warehouse('W2')];
  const stock = [row('A', 'W2', 2), row('A', 'W3', 2), row('A', 'W1', 2)];

  it('breaks ties by warehouse id ascending', () => {
    for (const strategy of ['nearest', 'priority', 'most-available'] as const) {
      expect(allocate([line('A', 3)], stock, twins, { strategy, location: paris })).toEqual({
        kind: 'plan',
        allocations: [
          { sku: 'A', warehouseId: 'W1', quantity: 2 },
          { sku: 'A', warehouseId: 'W2', quantity: 1 },
        ],
      });
    }
  });

  it('does not depend on the order of its inputs', () => {
    const lines = [line('B', 4), line('A', 3), line('A', 1, 'PAR')];
    const rows = [row('A', 'PAR', 3), row('A', 'LON', 3), row('B', 'LYO', 2), row('B', 'BER', 5)];
    for (const strategy of ['nearest', 'priority', 'most-available', 'fewest-shipments'] as const) {
      const options: AllocationOptions = { strategy, location: paris };
      expect(
        allocate([...lines].reverse(), [...rows].reverse(), [...ALL].reverse(), options),
      ).toEqual(allocate(lines, rows, ALL, options));
    }
  });

  it('merges allocations per (sku, warehouse) and sorts them', () => {
    const rows = [row('B', 'PAR', 5), row('A', 'PAR', 5)];
    const lines = [line('B', 1), line('A', 1), line('B', 2, 'PAR'), line('A', 1)];
    expect(allocate(lines, rows, ALL)).toEqual({
      kind: 'plan',
      allocations: [
        { sku: 'A', warehouseId: 'PAR', quantity: 2 },
        { sku: 'B', warehouseId: 'PAR', quantity: 3 },
      ],
    });
  });

  it('returns an empty plan for no lines', () => {
    expect(allocate([], stock, twins)).toEqual({ kind: 'plan', allocations: [] });
    expect(allocate([], [], [], { strategy: 'fewest-shipments' })).toEqual({
      kind: 'plan',
      allocations: [],
    });
  });

  it('does not mutate its inputs', () => {
    const lines = Object.freeze([Object.freeze(line('A', 5)), Object.freeze(line('A', 1, 'W1'))]);
    const rows = Object.freeze(stock.map((item) => Object.freeze({ ...item })));
    const frozen = Object.freeze(twins.map((item) => Object.freeze({ ...item })));
    const options = Object.freeze({ strategy: 'fewest-shipments' as const, location: paris });
    expect(() => allocate(lines, rows, frozen, options)).not.toThrow();
    expect(allocate(lines, rows, frozen, options).kind).toBe('plan');
  });
});
