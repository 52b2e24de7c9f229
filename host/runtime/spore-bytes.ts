// The bytes of spores on a host (docs/spores.md, Transfer): the modules this node serves, each
// with its chunk tree computed once, and the chunks of fetches in progress. Every decision (which
// holder, which chunk, retries, proofs) is the kernel's; this only stores, and at the end checks
// the whole-module SHA-256 before anyone sees the module. A fetch that fails keeps its chunks, so
// the next fetch of the same module resumes from them; with a `partialDir`, a fetch that runs
// longer than PARTIAL_FLUSH_MS also keeps them on disk, so a restarted node resumes too.
import { sha256 } from '../identity/sha256.ts';
import { chunkCount, chunkRun, chunkTree, isRun } from '../spore/chunk-tree.ts';
import { FETCH_OK, FETCH_NO_HOLDER, SPORE_CHUNK_BYTES, SPORE_MAX_BYTES } from '../wire/protocol-table.ts';
import type { KernelInstance, SporeHal } from './kernel-instance.ts';
import { PartialStore } from './partial-store.ts';

/** Modules served at most, and partial fetches kept for resuming: the least recently used goes first. */
export const MAX_SERVED_MODULES = 64;
export const MAX_PARTIAL_FETCHES = 4;
/** A running fetch writes the chunks it received to disk this often (a fetch done sooner writes nothing). */
export const PARTIAL_FLUSH_MS = 250;

export class SporeFetchError extends Error {}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Served {
  module: Uint8Array;
  /** The chunk tree, computed when the first chunk is asked for (a fetched module is not made to wait for it). */
  levels: Uint8Array[][] | null;
  /** Chunks served. */
  served: number;
}

interface Partial {
  hash: Uint8Array;
  module: Uint8Array;
  held: Uint8Array; // one byte per chunk: 1 once stored
}

interface Fetch extends Partial {
  done?: boolean;
  /** Chunks stored since the last write to disk. */
  dirty: Set<number>;
  resolve(module: Uint8Array): void;
  reject(e: Error): void;
}

export interface FetchRequest {
  species: number;
  hash: Uint8Array;
  root: Uint8Array;
  size: number;
  /** Nodes that should hold it (the spawner, a DHT answer); the kernel adds peers announcing the species. */
  hints?: readonly number[];
}

export interface SporeBytesOptions {
  /**
   * A module this node holds elsewhere (the on-disk spore cache), by its hash in hex, or null:
   * asked when a SPORE_GET names a module not in memory, so a restarted node still serves what it cached.
   */
  lookup?: (hashHex: string) => Uint8Array | null;
  /** Called each time a whole module's worth of chunks has been served (the cache's served count). */
  onServed?: (hash: Uint8Array) => void;
  /** Where partial fetches are kept across restarts (`cell run`: `partial/` in its spore cache); none: in memory only. */
  partialDir?: string;
  /** A partial fetch could not be written (a full disk): the fetch goes on in memory. */
  onPartialError?: (err: Error) => void;
}

export class SporeBytes implements SporeHal {
  private readonly served = new Map<string, Served>();
  private readonly partial = new Map<string, Partial>();
  private readonly fetches = new Map<number, Fetch>();
  private starting: Fetch | null = null;
  // One kernel fetch per module: a second request for it waits on the first.
  private readonly running = new Map<string, Promise<Uint8Array>>();
  private kernel: KernelInstance | null = null;
  private readonly disk: PartialStore | null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: SporeBytesOptions = {}) {
    this.disk = opts.partialDir ? new PartialStore(opts.partialDir, MAX_PARTIAL_FETCHES) : null;
  }

  /** The kernel whose fetches these are (set once the kernel is instantiated with this as hal.spores). */
  attach(kernel: KernelInstance): void {
    this.kernel = kernel;
  }

  /** Serves `module` from now on (a local .wasm, or one fetched); returns its hash. */
  serve(module: Uint8Array): Uint8Array {
    if (module.length < 1 || module.length > SPORE_MAX_BYTES) throw new RangeError(`a module is 1..${SPORE_MAX_BYTES} bytes, not ${module.length}`);
    return this.serveHashed(module, sha256(module));
  }

  /** serve() of a module whose SHA-256 the caller has just computed. */
  private serveHashed(module: Uint8Array, hash: Uint8Array): Uint8Array {
    const key = hex(hash);
    this.served.delete(key);
    this.served.set(key, { module, levels: null, served: 0 });
    while (this.served.size > MAX_SERVED_MODULES) this.served.delete(this.served.keys().next().value!);
    return hash;
  }

  /** The module with this hash if this node serves it. */
  module(hash: Uint8Array): Uint8Array | null {
    return this.served.get(hex(hash))?.module ?? null;
  }

  /** Chunks served of the module with this hash. */
  servedCount(hash: Uint8Array): number {
    return this.served.get(hex(hash))?.served ?? 0;
  }

  chunk(hash: Uint8Array, index: number, count = 1): { chunk: Uint8Array; proof: Uint8Array } | null {
    const key = hex(hash);
    let s = this.served.get(key);
    if (!s && this.opts.lookup) {
      const module = this.opts.lookup(key);
      // Served only if it is what was asked for: the lookup's bytes are hashed again here.
      if (module && hex(this.serve(module)) === key) s = this.served.get(key);
    }
    if (!s) return null;
    const n = chunkCount(s.module.length);
    if (!isRun(n, index, count)) return null;
    s.levels ??= chunkTree(s.module);
    const run = chunkRun(s.module, s.levels, index, count);
    // One module's worth of chunks served counts as one whole spore served.
    const before = Math.floor(s.served / n);
    s.served += Math.ceil(run.chunk.length / SPORE_CHUNK_BYTES);
    if (Math.floor(s.served / n) > before) this.opts.onServed?.(hash);
    return run;
  }

  /**
   * Fetches a module through the kernel: resolves with the exact module once every chunk verified
   * and its SHA-256 matches; rejects with why otherwise. Chunks held from an earlier attempt are not asked again.
   */
  fetch(req: FetchRequest): Promise<Uint8Array> {
    const kernel = this.kernel;
    if (!kernel) return Promise.reject(new SporeFetchError('no kernel attached'));
    const have = this.module(req.hash);
    if (have) return Promise.resolve(have);
    if (!Number.isSafeInteger(req.size) || req.size < 1 || req.size > SPORE_MAX_BYTES) {
      return Promise.reject(new SporeFetchError(`module size ${req.size}: a spore is 1..${SPORE_MAX_BYTES} bytes`));
    }
    const key = hex(req.hash);
    const already = this.running.get(key);
    if (already) return already;
    const p = this.start(kernel, req, key);
    this.running.set(key, p);
    const forget = () => this.running.delete(key);
    p.then(forget, forget);
    return p;
  }

  private start(kernel: KernelInstance, req: FetchRequest, key: string): Promise<Uint8Array> {
    const n = chunkCount(req.size);
    let part = this.partial.get(key);
    if (!part || part.module.length !== req.size) {
      // A restarted node: the chunks an earlier process kept on disk.
      const kept = this.disk?.load(key, req.size, n);
      part = { hash: req.hash.slice(), module: kept?.module ?? new Uint8Array(req.size), held: kept?.held ?? new Uint8Array(n) };
    }
    this.partial.delete(key);
    return new Promise<Uint8Array>((resolve, reject) => {
      const f: Fetch = { ...part, dirty: new Set(), resolve, reject };
      const held: number[] = [];
      f.held.forEach((v, i) => v && held.push(i));
      this.starting = f;
      let h: number;
      try {
        h = kernel.fetch(req.species, req.hash, req.root, req.size, req.hints ?? [], held);
      } finally {
        this.starting = null;
      }
      if (h < 0) reject(new SporeFetchError('the kernel runs its maximum of fetches already'));
      else if (!f.done) this.fetches.set(h, f);
    });
  }

  /** Bytes of module `hash` a running fetch holds (chunks stored, each checked against the root), or null when none runs. */
  received(hash: Uint8Array): number | null {
    const key = hex(hash);
    for (const f of this.fetches.values()) {
      if (hex(f.hash) !== key) continue;
      const n = f.held.length;
      let bytes = 0;
      // Every chunk is SPORE_CHUNK_BYTES but the last, which holds the rest.
      for (let i = 0; i < n; i++) if (f.held[i]) bytes += i < n - 1 ? SPORE_CHUNK_BYTES : f.module.length - (n - 1) * SPORE_CHUNK_BYTES;
      return bytes;
    }
    return null;
  }

  put(handle: number, index: number, chunk: Uint8Array): void {
    const f = this.fetches.get(handle) ?? this.starting;
    if (!f || index < 0 || index >= f.held.length) return;
    f.module.set(chunk, index * SPORE_CHUNK_BYTES);
    f.held[index] = 1;
    if (this.disk) {
      f.dirty.add(index);
      this.flushTimer ??= setTimeout(() => this.flushAll(), PARTIAL_FLUSH_MS).unref();
    }
  }

  /** Writes what running fetches received since the last write (a fetch that ends first writes nothing). The next chunk put sets the timer again. */
  private flushAll(): void {
    this.flushTimer = null;
    for (const f of this.fetches.values()) this.flush(f);
  }

  private flush(f: Fetch): void {
    if (!this.disk || f.dirty.size === 0) return;
    try {
      this.disk.save(hex(f.hash), f.module, f.held, f.dirty);
      f.dirty.clear();
    } catch (err) {
      f.dirty.clear(); // not asked again: the fetch goes on in memory
      this.opts.onPartialError?.(err as Error);
    }
  }

  done(handle: number, status: number): void {
    const f = this.fetches.get(handle) ?? this.starting;
    if (!f) return;
    this.fetches.delete(handle);
    f.done = true;
    if (status !== FETCH_OK) {
      this.flush(f);
      this.keepPartial(f);
      f.reject(new SporeFetchError(status === FETCH_NO_HOLDER ? 'no holder left: every holder was tried or demoted' : `fetch failed (status ${status})`));
      return;
    }
    const got = sha256(f.module);
    this.disk?.remove(hex(f.hash));
    if (!Buffer.from(got).equals(Buffer.from(f.hash))) {
      // Every chunk verified against the root, yet the module hash differs: the manifest's root and
      // hash disagree, or chunks kept on disk were damaged there. Either way nothing of it is kept.
      f.reject(new SporeFetchError(`module hash mismatch: got ${hex(got)}, the manifest says ${hex(f.hash)}`));
      return;
    }
    this.serveHashed(f.module, got); // every node is a mirror
    f.resolve(f.module);
  }

  private keepPartial(f: Partial): void {
    const key = hex(f.hash);
    this.partial.delete(key);
    this.partial.set(key, { hash: f.hash, module: f.module, held: f.held });
    while (this.partial.size > MAX_PARTIAL_FETCHES) this.partial.delete(this.partial.keys().next().value!);
  }
}
