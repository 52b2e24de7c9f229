// The node's spore cache (docs/spores.md "Cache"): every spore a node has run or fetched, on disk,
// named by its module hash, so the node serves it to others and starts it again without a fetch.
//
//   <dir>/<hash>.spore        the .spore file, exactly as verified
//   <dir>/<hash>.json         its facts for `cell spores`, last use and how often it was served
//   <dir>/<hash>.pin.<pid>    a live process runs it: never evicted while that process lives
//   <dir>/.tmp-<pid>-...      a write in progress; renamed into place whole, so a crash leaves
//                             no half spore under a real name (stale ones are swept on open)
//
// Bounded two ways (a size cap, an entry cap); the least recently used unpinned spore goes first.
// Several `cell run` processes may share one directory: the files are whole at every instant,
// but two processes bumping the same counter at once can lose one increment (a statistic).
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeSporeFile } from './spore-file.ts';
import { SporeError } from './spore-error.ts';
import { sha256 } from '../identity/sha256.ts';

export const DEFAULT_CACHE_CAP_BYTES = 256 * 1024 * 1024;
export const DEFAULT_CACHE_MAX_ENTRIES = 1024;

export interface CacheEntry {
  /** Module hash, 64 hex digits. */
  hash: string;
  species: number;
  name: string;
  /** Bytes of the .spore file (what the cap counts). */
  bytes: number;
  moduleSize: number;
  authority: string;
  revision: number;
  issuedAt: number;
  expiresAt: number;
  /** Unix ms. */
  addedAt: number;
  lastUsed: number;
  /** Whole spores served to other nodes (markServed). */
  served: number;
}

export interface ListedEntry extends CacheEntry {
  pinned: boolean;
}

export interface SporeCacheOptions {
  /** Default: $CELL_HOME/spores, else ~/.cell/spores. */
  dir?: string;
  capBytes?: number;
  maxEntries?: number;
  /** Unix ms; tests pass a fake clock to order uses. */
  now?: () => number;
}

const HASH = /^[0-9a-f]{64}$/;

export function defaultSporeDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CELL_HOME || join(homedir(), '.cell'), 'spores');
}

/** Whether process `pid` runs (a pin or temp file of a dead one is stale). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SporeCache {
  readonly dir: string;
  readonly capBytes: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  /** One operation at a time within this process: a put's evictions see the other puts. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Corrupt files found (a .spore whose module no longer hashes to its name) and removed. */
  corruptRemoved = 0;

  private constructor(opts: SporeCacheOptions) {
    this.dir = opts.dir ?? defaultSporeDir();
    this.capBytes = opts.capBytes ?? DEFAULT_CACHE_CAP_BYTES;
    this.maxEntries = opts.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
    this.now = opts.now ?? Date.now;
    if (!(Number.isSafeInteger(this.capBytes) && this.capBytes > 0)) throw new RangeError(`cache cap must be a positive number of bytes, not ${opts.capBytes}`);
    if (!(Number.isSafeInteger(this.maxEntries) && this.maxEntries > 0)) throw new RangeError(`cache entry cap must be a positive integer, not ${opts.maxEntries}`);
  }

  /** Opens (creating) the directory and sweeps what a crashed process left behind. */
  static async open(opts: SporeCacheOptions = {}): Promise<SporeCache> {
    const cache = new SporeCache(opts);
    await mkdir(cache.dir, { recursive: true, mode: 0o700 });
    await cache.sweep();
    return cache;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private sporePath = (hash: string) => join(this.dir, `${hash}.spore`);
  private metaPath = (hash: string) => join(this.dir, `${hash}.json`);

  private async writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
    const tmp = join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  private async sweep(): Promise<void> {
    const names = await readdir(this.dir);
    const spores = new Set<string>();
    for (const n of names) {
      const tmp = /^\.tmp-(\d+)-/.exec(n);
      const pin = /^([0-9a-f]{64})\.pin\.(\d+)$/.exec(n);
      if ((tmp && !pidAlive(Number(tmp[1]))) || (pin && !pidAlive(Number(pin[2])))) await rm(join(this.dir, n), { force: true });
      if (n.endsWith('.spore') && HASH.test(n.slice(0, -6))) spores.add(n.slice(0, -6));
    }
    // A crash between the .spore's rename and its .json's: rebuild the facts from the file.
    for (const hash of spores) {
      if (names.includes(`${hash}.json`)) continue;
      const bytes = await readFile(this.sporePath(hash));
      const entry = this.entryOf(hash, bytes);
      if (entry) await this.writeAtomic(this.metaPath(hash), JSON.stringify(entry));
      else await this.drop(hash);
    }
    for (const n of names) {
      if (n.endsWith('.json') && HASH.test(n.slice(0, -5)) && !spores.has(n.slice(0, -5))) await rm(join(this.dir, n), { force: true });
    }
  }

  /** The facts of a spore file that is what its name says, or null. */
  private entryOf(hash: string, bytes: Uint8Array): CacheEntry | null {
    try {
      const { manifest: m, module } = decodeSporeFile(bytes);
      if (Buffer.from(sha256(module)).toString('hex') !== hash || Buffer.from(m.moduleHash).toString('hex') !== hash) return null;
      const t = this.now();
      return {
        hash, species: m.speciesId, name: m.name, bytes: bytes.length, moduleSize: m.moduleSize, authority: Buffer.from(m.authority).toString('hex'),
        revision: m.revision, issuedAt: m.issuedAt, expiresAt: m.expiresAt, addedAt: t, lastUsed: t, served: 0,
      };
    } catch {
      return null;
    }
  }

  private async readMeta(hash: string): Promise<CacheEntry | null> {
    try {
      return JSON.parse(await readFile(this.metaPath(hash), 'utf8')) as CacheEntry;
    } catch {
      return null;
    }
  }

  private async drop(hash: string): Promise<void> {
    await rm(this.sporePath(hash), { force: true });
    await rm(this.metaPath(hash), { force: true });
  }

  private async entries(): Promise<CacheEntry[]> {
    const out: CacheEntry[] = [];
    for (const n of await readdir(this.dir)) {
      if (!n.endsWith('.json') || !HASH.test(n.slice(0, -5))) continue;
      const e = await this.readMeta(n.slice(0, -5));
      if (e) out.push(e);
    }
    return out;
  }

  private async isPinned(hash: string, names?: string[]): Promise<boolean> {
    for (const n of names ?? await readdir(this.dir)) {
      if (n.startsWith(`${hash}.pin.`) && pidAlive(Number(n.slice(hash.length + 5)))) return true;
    }
    return false;
  }

  /**
   * Stores a .spore under its module hash; the caller has verified it (verify-spore.ts). Checks
   * only what the name depends on: the module hashes to the manifest's module hash. A spore
   * already held is replaced by one issued later. Evicts least recently used unpinned spores to
   * stay under the caps; refuses (and stores nothing) when pinned spores leave no room.
   */
  put(sporeBytes: Uint8Array): Promise<CacheEntry> {
    return this.serial(async () => {
      const { manifest } = decodeSporeFile(sporeBytes);
      const hash = Buffer.from(manifest.moduleHash).toString('hex');
      const entry = this.entryOf(hash, sporeBytes);
      if (!entry) throw new SporeError('module-hash-mismatch', 'the module does not hash to the manifest\'s module hash: not cached');
      if (sporeBytes.length > this.capBytes) throw new Error(`spore of ${sporeBytes.length} bytes is larger than the cache cap (${this.capBytes} bytes)`);
      const old = await this.readMeta(hash);
      if (old && old.issuedAt >= manifest.issuedAt) {
        old.lastUsed = this.now();
        await this.writeAtomic(this.metaPath(hash), JSON.stringify(old));
        return old;
      }
      if (old) {
        entry.served = old.served;
        entry.addedAt = old.addedAt;
      }
      await this.makeRoom(sporeBytes.length, hash);
      await this.writeAtomic(this.sporePath(hash), sporeBytes);
      await this.writeAtomic(this.metaPath(hash), JSON.stringify(entry));
      return entry;
    });
  }

  private async makeRoom(bytes: number, incoming: string): Promise<void> {
    const names = await readdir(this.dir);
    const all = (await this.entries()).filter((e) => e.hash !== incoming);
    let total = all.reduce((n, e) => n + e.bytes, 0);
    let count = all.length;
    const lru = all.sort((a, b) => a.lastUsed - b.lastUsed || (a.hash < b.hash ? -1 : 1));
    for (const e of lru) {
      if (total + bytes <= this.capBytes && count + 1 <= this.maxEntries) return;
      if (await this.isPinned(e.hash, names)) continue;
      await this.drop(e.hash);
      total -= e.bytes;
      count--;
    }
    if (total + bytes > this.capBytes || count + 1 > this.maxEntries) {
      throw new Error(`spore cache ${this.dir} is full: running (pinned) spores hold ${total} of ${this.capBytes} bytes and ${count} of ${this.maxEntries} entries; raise the cap or stop one`);
    }
  }

  /** The .spore bytes for a module hash, or null; a use for LRU. A file that no longer hashes to its name is removed. */
  get(hash: string): Promise<Uint8Array | null> {
    return this.serial(async () => {
      if (!HASH.test(hash)) return null;
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(this.sporePath(hash)));
      } catch {
        return null;
      }
      if (!this.entryOf(hash, bytes)) {
        this.corruptRemoved++;
        await this.drop(hash);
        return null;
      }
      await this.touch(hash, (e) => e);
      return bytes;
    });
  }

  /**
   * The module of the spore with this hash, read synchronously (a kernel's SPORE_GET is answered
   * in the same call), or null. Not a use for LRU and no lock: a file is whole at every instant.
   * A file that no longer hashes to its name is removed, as get() does.
   */
  moduleSync(hash: string): Uint8Array | null {
    if (!HASH.test(hash)) return null;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(this.sporePath(hash)));
    } catch {
      return null;
    }
    if (!this.entryOf(hash, bytes)) {
      this.corruptRemoved++;
      rmSync(this.sporePath(hash), { force: true });
      rmSync(this.metaPath(hash), { force: true });
      return null;
    }
    return decodeSporeFile(bytes).module;
  }

  private async touch(hash: string, change: (e: CacheEntry) => CacheEntry): Promise<CacheEntry | null> {
    const e = await this.readMeta(hash);
    if (!e) return null;
    const next = change({ ...e, lastUsed: Math.max(this.now(), e.lastUsed) });
    await this.writeAtomic(this.metaPath(hash), JSON.stringify(next));
    return next;
  }

  async has(hash: string): Promise<boolean> {
    return HASH.test(hash) && (await stat(this.sporePath(hash)).then(() => true, () => false));
  }

  /** One whole spore served to another node (the transfer calls it once per completed serve, not per chunk). */
  markServed(hash: string): Promise<CacheEntry | null> {
    return this.serial(() => (HASH.test(hash) ? this.touch(hash, (e) => ({ ...e, served: e.served + 1 })) : Promise.resolve(null)));
  }

  /** This process runs the spore: no process evicts it until unpin or this process's exit. */
  pin(hash: string): Promise<void> {
    return this.serial(async () => {
      if (!(await this.has(hash))) throw new Error(`spore ${hash} is not in the cache: put it first`);
      await writeFile(join(this.dir, `${hash}.pin.${process.pid}`), '');
    });
  }

  unpin(hash: string): Promise<void> {
    return this.serial(() => (HASH.test(hash) ? rm(join(this.dir, `${hash}.pin.${process.pid}`), { force: true }) : Promise.resolve()));
  }

  /** Every spore held, most recently used first. */
  list(): Promise<ListedEntry[]> {
    return this.serial(async () => {
      const names = await readdir(this.dir);
      const out: ListedEntry[] = [];
      for (const e of await this.entries()) out.push({ ...e, pinned: await this.isPinned(e.hash, names) });
      return out.sort((a, b) => b.lastUsed - a.lastUsed || (a.hash < b.hash ? -1 : 1));
    });
  }
}
