// A map with a fixed number of rows that forgets the least recently used row to make room.
// Tables keyed by what strangers send (a node id learned from a datagram's src) use it, so a
// flood of forged ids costs evictions, never memory.

export interface CappedMapStats {
  /** Rows now. */
  size: number;
  /** Rows at most. */
  cap: number;
  /** Rows forgotten to make room. */
  evictions: number;
}

export class CappedMap<K, V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent row first.
  private readonly rows = new Map<K, V>();
  private evicted = 0;

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`cap must be a positive integer, got ${cap}`);
  }

  get size(): number {
    return this.rows.size;
  }

  get stats(): CappedMapStats {
    return { size: this.rows.size, cap: this.cap, evictions: this.evicted };
  }

  /** The row for `key`, marked as just used. */
  get(key: K): V | undefined {
    const v = this.rows.get(key);
    if (v === undefined) return undefined;
    this.rows.delete(key);
    this.rows.set(key, v);
    return v;
  }

  /** The row for `key` without marking it used (for reading tables out). */
  peek(key: K): V | undefined {
    return this.rows.get(key);
  }

  set(key: K, value: V): void {
    this.rows.delete(key);
    if (this.rows.size >= this.cap) {
      const oldest = this.rows.keys().next().value as K;
      this.rows.delete(oldest);
      this.evicted++;
    }
    this.rows.set(key, value);
  }

  delete(key: K): boolean {
    return this.rows.delete(key);
  }

  entries(): IterableIterator<[K, V]> {
    return this.rows.entries();
  }
}
