import { describe, expect, it } from 'vitest';
import { defaultIdGenerator, uuid7 } from './uuid7.js';

describe('uuid7', () => {
  it('is a version-7 RFC 4122 layout, unique and increasing within one process', () => {
    const ids = Array.from({ length: 20_000 }, () => uuid7(1_700_000_000_000));
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('gives prefixed ids of every kind, interleaved, each whole, unique and increasing', () => {
    const ids = defaultIdGenerator();
    const made = Array.from({ length: 10_000 }, (_unused, index) =>
      ids.next(index % 3 === 0 ? 'movement' : index % 3 === 1 ? 'event' : 'reservation'),
    );
    const layout =
      /^(mov|evt|res)_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const id of made) expect(id).toMatch(layout);
    expect(made.filter((id) => id.startsWith('mov_'))).toHaveLength(3334);
    expect(new Set(made).size).toBe(made.length);
    const uuids = made.map((id) => id.slice(4));
    expect([...uuids].sort()).toEqual(uuids);
    // A plain uuid7 between prefixed ids continues the same sequence.
    const between = uuid7();
    expect(between > uuids.at(-1)!).toBe(true);
    expect(ids.next('alert').slice(4) > between).toBe(true);
  });
});
