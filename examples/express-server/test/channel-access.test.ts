import { describe, expect, it } from 'vitest';
import { formatKeyBinding, parseKeyBindings } from '../src/channel-access.js';
import { loadConfig } from '../src/config.js';

describe('STOCKROOM_KEY_CHANNELS', () => {
  it('binds keys to a channel, a display strategy, or both', () => {
    const bindings = parseKeyBindings(
      'key_aaaaaaaaaaaa=eu, key_bbbbbbbbbbbb=us/capped:10 ,key_cccccccccccc=/levels:5,key_d=/levels',
    );
    expect(bindings).toEqual(
      new Map([
        ['key_aaaaaaaaaaaa', { channelId: 'eu' }],
        ['key_bbbbbbbbbbbb', { channelId: 'us', display: { kind: 'capped', cap: 10 } }],
        ['key_cccccccccccc', { display: { kind: 'levels', lowStockAt: 5 } }],
        ['key_d', { display: { kind: 'levels', lowStockAt: 0 } }],
      ]),
    );
    expect(
      formatKeyBinding('key_bbbbbbbbbbbb', {
        channelId: 'us',
        display: { kind: 'capped', cap: 10 },
      }),
    ).toBe('key_bbbbbbbbbbbb=us/capped:10');
  });

  it('names the first bad entry', () => {
    expect(parseKeyBindings('key_a=eu,nope')).toBe(
      'entry 2: expected <keyId>=<channelId>[/<display>]',
    );
    expect(parseKeyBindings('key_a=eu,key_a=us')).toBe('entry 2: key key_a is bound twice');
    expect(parseKeyBindings('key_a=eu/top:3')).toBe(
      'entry 1: display must be exact, capped:<N> (N ≥ 1) or levels[:<N>]',
    );
    expect(parseKeyBindings('key_a=')).toBe('entry 1: bind a channel, a display, or both');
  });

  it('stops the server at start with the problem', () => {
    expect(() =>
      loadConfig({ STOCKROOM_DATA_DIR: '/tmp/x', STOCKROOM_KEY_CHANNELS: 'key_a=eu/capped:0' }),
    ).toThrow(/STOCKROOM_KEY_CHANNELS entry 1: display must be/);
    expect(
      loadConfig({ STOCKROOM_DATA_DIR: '/tmp/x', STOCKROOM_KEY_CHANNELS: 'key_a=eu' }).keyBindings,
    ).toEqual(new Map([['key_a', { channelId: 'eu' }]]));
  });
});
