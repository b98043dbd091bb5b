import { describe, expect, it } from 'vitest';
import { createKeys, hashTag } from '../src/index.js';

describe('keys', () => {
  it('puts the prefix first and the SKU in a hash tag', () => {
    const keys = createKeys('shop:');
    expect(keys.availability('SKU-1')).toBe('shop:avail:{SKU-1}');
    expect(keys.soldOut('SKU-1')).toBe('shop:soldout:{SKU-1}');
    expect(keys.reservation('res_1')).toBe('shop:reservation:{res_1}');
    expect(keys.lease('expiry')).toBe('shop:lease:{expiry}');
  });

  it('escapes braces and % so a SKU can never split or share a hash tag', () => {
    expect(hashTag('a}b{c')).toBe('{a%7Db%7Bc}');
    expect(hashTag('%7D')).toBe('{%257D}');
    expect(hashTag('}')).not.toBe(hashTag('%7D'));
  });

  it('refuses a prefix with braces', () => {
    expect(() => createKeys('shop{1}:')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
