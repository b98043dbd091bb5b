// The rows a bulk import has seen so far (see `ChunkPlanner`).

/** Shards of the index, chosen by the top bits of the second hash. */
const SHARD_BITS = 8;
/** Slots of a new shard. */
const INITIAL_SHARD_SLOTS = 16;
/** Positions a block of hashes covers (a block is 512 KB: two words a position). */
const BLOCK_BITS = 16;
const BLOCK_MASK = (1 << BLOCK_BITS) - 1;
/** The first stored position + 1 the index cannot hold (see `overflow`). */
const FAR = 0xffff_ffff;
const TWO_TO_32 = 0x1_0000_0000;

/**
 * A set of (sku, warehouseId) rows with the position of each row's first item. Each row is kept
 * as a 64-bit hash written at its position in blocks of 65,536 positions (8 bytes a position),
 * and an index of positions (4 bytes a slot, between half and three quarters full): a million
 * rows in 15 MiB (about 15 bytes a row), where 12-byte slots holding hash and position took
 * 24 MiB and a Map of key strings about 180 bytes a row. A match in the index is confirmed
 * against the hash at the slot's position. The index is cut into 256 shards that grow by half
 * one at a time, so a growth copies 1/256 of it; the blocks are never copied. A streamed import
 * trusts the hash — two different rows share one with a probability of about 3 × 10⁻⁸ in a
 * million rows — an array import confirms every match against the earlier item.
 */
export class RowKeyTable {
  /** The hashes by position: block `position >> 16`, words 2 × (position & 0xffff) and + 1. */
  private readonly blocks: Uint32Array[] = [];
  private readonly shards = Array.from({ length: 1 << SHARD_BITS }, () => new RowKeyShard());
  /** Rows first seen at positions from 2³² − 2 on, by hash (not expected, but stays exact). */
  private readonly overflow = new Map<string, number>();

  /** Records the row at `position` unless it is there; returns the earlier position if it was. */
  putIfAbsent(sku: string, warehouseId: string, position: number): number | undefined {
    // FNV-1a and a murmur-style mix over sku, a NUL and warehouseId (no string is built).
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    const skuLength = sku.length;
    const length = skuLength + 1 + warehouseId.length;
    for (let index = 0; index < length; index += 1) {
      const code =
        index < skuLength
          ? sku.charCodeAt(index)
          : index === skuLength
            ? 0
            : warehouseId.charCodeAt(index - skuLength - 1);
      h1 = Math.imul(h1 ^ code, 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ code, 0x5bd1e995) >>> 0;
      h2 = (h2 ^ (h2 >>> 15)) >>> 0;
    }
    const shard = this.shards[h2 >>> (32 - SHARD_BITS)]!;
    const slot = shard.find(h1, h2, this.blocks);
    const present = shard.positionAt(slot);
    if (present !== undefined) return present;
    if (this.overflow.size > 0) {
      const earlier = this.overflow.get(`${h1}:${h2}`);
      if (earlier !== undefined) return earlier;
    }
    if (position + 1 >= FAR) {
      this.overflow.set(`${h1}:${h2}`, position);
      return undefined;
    }
    const blockNumber = position >>> BLOCK_BITS;
    let block = this.blocks[blockNumber];
    if (block === undefined) {
      block = new Uint32Array(2 << BLOCK_BITS);
      this.blocks[blockNumber] = block;
    }
    const at = (position & BLOCK_MASK) * 2;
    block[at] = h1;
    block[at + 1] = h2;
    shard.put(slot, position, this.blocks);
    return undefined;
  }

  /** Bytes of the typed arrays held (blocks and index). */
  get bytes(): number {
    let total = 0;
    for (const block of this.blocks) if (block !== undefined) total += block.byteLength;
    for (const shard of this.shards) total += shard.bytes;
    return total;
  }
}

/** One shard of the index: open addressing with linear probing, a slot holding position + 1. */
class RowKeyShard {
  private size = 0;
  private slots = new Uint32Array(INITIAL_SHARD_SLOTS);

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** The slot holding the row with hash (h1, h2), or the empty slot where it would go. */
  find(h1: number, h2: number, blocks: readonly Uint32Array[]): number {
    const slots = this.slots;
    const capacity = slots.length;
    let slot = homeOf(h1, capacity);
    for (let stored = slots[slot]!; stored !== 0; stored = slots[slot]!) {
      const position = stored - 1;
      const block = blocks[position >>> BLOCK_BITS]!;
      const at = (position & BLOCK_MASK) * 2;
      if (block[at] === h1 && block[at + 1] === h2) return slot;
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
    return slot;
  }

  /** The position stored in `slot`, or undefined when it is empty. */
  positionAt(slot: number): number | undefined {
    const stored = this.slots[slot]!;
    return stored === 0 ? undefined : stored - 1;
  }

  /** Stores `position` in the empty `slot` (from `find`); the hash is already in its block. */
  put(slot: number, position: number, blocks: readonly Uint32Array[]): void {
    this.slots[slot] = position + 1;
    this.size += 1;
    // Grown by half at three quarters full: a linear probe stays short, and the slots stay
    // between half and three quarters full.
    if (this.size * 4 > this.slots.length * 3) this.grow(blocks);
  }

  private grow(blocks: readonly Uint32Array[]): void {
    const old = this.slots;
    const capacity = Math.ceil(old.length * 1.5);
    const slots = new Uint32Array(capacity);
    for (const stored of old) {
      if (stored === 0) continue;
      const position = stored - 1;
      let slot = homeOf(blocks[position >>> BLOCK_BITS]![(position & BLOCK_MASK) * 2]!, capacity);
      while (slots[slot] !== 0) slot = slot + 1 === capacity ? 0 : slot + 1;
      slots[slot] = stored;
    }
    this.slots = slots;
  }
}

/** The slot a hash starts probing at: its first word scaled to the capacity. */
function homeOf(h1: number, capacity: number): number {
  return Math.floor((h1 / TWO_TO_32) * capacity);
}
