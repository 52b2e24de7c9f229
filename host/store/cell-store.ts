// A cell's durable key-value store (docs/abi.md, Store): the host side of hal.store_*. On a host it
// is a log file (store-log.ts) per cell species under the node's state directory; a board will keep
// the same keys in flash (issue #14). The limits below are the ones a small flash KV can honour.
//
// Writes made during a call are staged and become durable together, written and fsynced before the
// call's REPLY leaves the node (commit); a call that ends in ERROR leaves the store as it was
// (discard). Reads during a call see its own staged writes.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, ftruncateSync, writeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeRecord, readStoreLog, type StoreOp } from './store-log.ts';

export const STORE_MAX_KEY = 64;
export const STORE_MAX_VALUE = 1024;
export const STORE_MAX_KEYS = 1024;
/** The log is rewritten as a snapshot once it is this many times the live data (and past COMPACT_MIN). */
const COMPACT_RATIO = 4;
const COMPACT_MIN = 64 * 1024;

/** Why store_put refused a write (docs/abi.md): the cell sees -code. */
export enum StoreRefusal { KEY_SIZE = 1, VALUE_SIZE = 2, FULL = 3 }

// Keys as latin1 strings: one char per byte, so string order is byte order and Map lookups work.
const asKey = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const keyBytes = (k: string): Uint8Array => new Uint8Array(Buffer.from(k, 'latin1'));

export class CellStore {
  private readonly live = new Map<string, Uint8Array>();
  /** This call's writes: a value, or null for a delete. */
  private readonly staged = new Map<string, Uint8Array | null>();
  private sorted: string[] | null = null;
  private fd: number | undefined;
  private logBytes = 0;
  private liveBytes = 0;

  private constructor(readonly path: string | null) {}

  /** A store that lives only as long as the process (no state directory). */
  static inMemory(): CellStore {
    return new CellStore(null);
  }

  /** Opens (or creates) the store at `path`; a torn tail from a crash is cut off. */
  static open(path: string): CellStore {
    mkdirSync(dirname(path), { recursive: true });
    const store = new CellStore(path);
    const bytes = existsSync(path) ? readFileSync(path) : new Uint8Array(0);
    const { records, goodBytes } = readStoreLog(bytes);
    for (const ops of records) store.apply(ops);
    store.fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    if (goodBytes < bytes.length) {
      ftruncateSync(store.fd, goodBytes);
      fsyncSync(store.fd);
    }
    store.logBytes = goodBytes;
    return store;
  }

  get size(): number {
    return this.view().length;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const k = asKey(key);
    const s = this.staged.get(k);
    if (s !== undefined) return s ?? undefined;
    return this.live.get(k);
  }

  /** Stages a write; 0, or the refusal. */
  put(key: Uint8Array, value: Uint8Array): 0 | StoreRefusal {
    if (key.length < 1 || key.length > STORE_MAX_KEY) return StoreRefusal.KEY_SIZE;
    if (value.length > STORE_MAX_VALUE) return StoreRefusal.VALUE_SIZE;
    const k = asKey(key);
    if (this.get(key) === undefined && this.size >= STORE_MAX_KEYS) return StoreRefusal.FULL;
    this.staged.set(k, value.slice());
    this.sorted = null;
    return 0;
  }

  /** Stages a delete; whether the key was there. */
  delete(key: Uint8Array): boolean {
    if (this.get(key) === undefined) return false;
    this.staged.set(asKey(key), null);
    this.sorted = null;
    return true;
  }

  /** The smallest key after `key` in byte order (the first key for an empty one), or undefined. */
  next(key: Uint8Array): Uint8Array | undefined {
    const keys = this.view();
    const k = asKey(key);
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo < keys.length ? keyBytes(keys[lo]!) : undefined;
  }

  /** Makes this call's writes durable (one record, fsynced); throws if the disk refuses. */
  commit(): void {
    if (this.staged.size === 0) return;
    const ops: StoreOp[] = [...this.staged].map(([k, v]) => ({ key: keyBytes(k), value: v }));
    if (this.fd !== undefined) {
      const record = encodeRecord(ops);
      try {
        writeSync(this.fd, record, 0, record.length, this.logBytes);
        fsyncSync(this.fd);
      } catch (err) {
        this.discard();
        throw err;
      }
      this.logBytes += record.length;
    }
    this.staged.clear();
    this.apply(ops);
    if (this.fd !== undefined && this.logBytes > COMPACT_MIN && this.logBytes > COMPACT_RATIO * this.liveBytes) this.compact();
  }

  /** Forgets this call's writes. */
  discard(): void {
    if (this.staged.size > 0) this.sorted = null;
    this.staged.clear();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private apply(ops: readonly StoreOp[]): void {
    for (const { key, value } of ops) {
      const k = asKey(key);
      const old = this.live.get(k);
      if (old) this.liveBytes -= 7 + key.length + old.length;
      if (value) {
        this.live.set(k, value);
        this.liveBytes += 7 + key.length + value.length;
      } else {
        this.live.delete(k);
      }
    }
    this.sorted = null;
  }

  /** Keys visible to the running call, sorted. */
  private view(): string[] {
    if (this.sorted) return this.sorted;
    const keys = new Set(this.live.keys());
    for (const [k, v] of this.staged) {
      if (v) keys.add(k);
      else keys.delete(k);
    }
    this.sorted = [...keys].sort();
    return this.sorted;
  }

  /** Rewrites the log as one snapshot record: written beside it, fsynced, then renamed over it. */
  private compact(): void {
    const path = this.path!;
    const tmp = `${path}.compact`;
    const record = encodeRecord([...this.live].map(([k, v]) => ({ key: keyBytes(k), value: v })));
    const fd = openSync(tmp, 'w');
    writeSync(fd, record);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
    closeSync(this.fd!);
    this.fd = openSync(path, 'r+');
    this.logBytes = record.length;
  }
}
