// The rows a bulk import has seen so far (see `ChunkPlanner`).

/** Shards of the table, chosen by the top bits of the second hash. */
const SHARD_BITS = 8;
/** Slots of a new shard (a power of two). */
const INITIAL_SHARD_SLOTS = 16;
/** Words of a slot: the two halves of the row's 64-bit hash, then its position + 1 (0: empty). */
const WORDS = 3;
/** The stored position + 1 of a row whose position does not fit 32 bits (see `overflow`). */
const FAR = 0xffff_ffff;

/**
 * A set of (sku, warehouseId) rows with the position of each row's first item, kept as a 64-bit
 * hash and a 32-bit position per row in typed arrays: 12 bytes a slot, at most two slots a row
 * (a million rows in 24 MB, where a Map of key strings took about 180 bytes a row). The table is
 * cut into 256 shards that grow one at a time, so a growth copies 1/256 of it instead of holding
 * the old and the new table at once (one table of 16-byte slots peaked at 48 MB in a
 * million-row import while it grew). A streamed import trusts the hash — two different rows
 * share one with a probability of about 3 × 10⁻⁸ in a million rows — an array import confirms
 * every match against the earlier item.
 */
export class RowKeyTable {
  private readonly shards = Array.from({ length: 1 << SHARD_BITS }, () => new RowKeyShard());
  /** Positions from 2³² − 1 on, by hash (an import that long is not expected, but stays exact). */
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
    const stored = Math.min(position + 1, FAR);
    const earlier = shard.putIfAbsent(h1, h2, stored);
    if (earlier === 0) {
      if (stored === FAR) this.overflow.set(`${h1}:${h2}`, position);
      return undefined;
    }
    return earlier === FAR ? this.overflow.get(`${h1}:${h2}`) : earlier - 1;
  }
}

/** One shard: open addressing with linear probing over interleaved slots. */
class RowKeyShard {
  private capacity = INITIAL_SHARD_SLOTS;
  private size = 0;
  private slots = new Uint32Array(INITIAL_SHARD_SLOTS * WORDS);

  /** Stores `stored` (position + 1) for the hash unless present; returns the present one, or 0. */
  putIfAbsent(h1: number, h2: number, stored: number): number {
    const slot = this.find(h1, h2);
    const present = this.slots[slot + 2]!;
    if (present !== 0) return present;
    this.slots[slot] = h1;
    this.slots[slot + 1] = h2;
    this.slots[slot + 2] = stored;
    this.size += 1;
    // Grown at three quarters full: a linear probe stays short.
    if (this.size * 4 > this.capacity * 3) this.grow();
    return 0;
  }

  /** The first word of the slot holding (h1, h2), or of the empty slot where it would go. */
  private find(h1: number, h2: number): number {
    const mask = this.capacity - 1;
    const slots = this.slots;
    let slot = h1 & mask;
    while (slots[slot * WORDS + 2] !== 0) {
      const at = slot * WORDS;
      if (slots[at] === h1 && slots[at + 1] === h2) return at;
      slot = (slot + 1) & mask;
    }
    return slot * WORDS;
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Uint32Array(this.capacity * WORDS);
    for (let at = 0; at < old.length; at += WORDS) {
      if (old[at + 2] === 0) continue;
      const target = this.find(old[at]!, old[at + 1]!);
      this.slots[target] = old[at]!;
      this.slots[target + 1] = old[at + 1]!;
      this.slots[target + 2] = old[at + 2]!;
    }
  }
}
