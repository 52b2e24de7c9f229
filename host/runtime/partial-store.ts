// Partial fetches on disk (docs/spores.md, Transfer): the chunks a fetch holds, kept so that a
// fetch cut off by a restart (or a kill -9) goes on from them. Per module, by its hash:
//   <hash>.part  the module's bytes, `size` long, the chunks held written at their offsets;
//   <hash>.held  one byte per chunk, 1 once its bytes are in .part: written whole and renamed
//                into place after the chunks it names, so it never names a chunk not written.
// Chunks come back unchecked by the kernel (k_fetch_have), so the whole-module SHA-256 at the end
// is what catches a file damaged on disk; the fetch then fails and its files are removed. At most
// `cap` modules are kept; a new one pushes out the least recently written. Several `cell run`
// processes may share the directory: two fetching one module write the same verified bytes.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SPORE_CHUNK_BYTES } from '../wire/protocol-table.ts';
import { pidAlive } from '../spore/spore-cache.ts';

const HASH = /^[0-9a-f]{64}$/;

export class PartialStore {
  private swept = false;

  constructor(readonly dir: string, readonly cap = 4) {}

  private part = (hash: string) => join(this.dir, `${hash}.part`);
  private held = (hash: string) => join(this.dir, `${hash}.held`);

  /** The chunks held of module `hash` (hex) of `size` bytes in `n` chunks, or null (none, or files that do not fit: removed). */
  load(hash: string, size: number, n: number): { module: Uint8Array; held: Uint8Array } | null {
    if (!HASH.test(hash)) return null;
    let held: Uint8Array;
    try {
      held = new Uint8Array(readFileSync(this.held(hash)));
    } catch {
      return null;
    }
    try {
      if (held.length !== n || statSync(this.part(hash)).size !== size || held.some((v) => v > 1)) throw new Error('does not fit');
      const module = new Uint8Array(readFileSync(this.part(hash)));
      if (module.length !== size) throw new Error('changed while read');
      return { module, held };
    } catch {
      this.remove(hash);
      return null;
    }
  }

  /** Writes the chunks `dirty` of `module` into its .part, then its `held` list. Errors are the caller's (a full disk: the fetch goes on in memory). */
  save(hash: string, module: Uint8Array, held: Uint8Array, dirty: Iterable<number>): void {
    if (!HASH.test(hash)) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!this.swept) this.sweep();
    const path = this.part(hash);
    let fresh = false;
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch {
      fd = openSync(path, 'w', 0o600);
      fresh = true;
    }
    try {
      ftruncateSync(fd, module.length);
      for (const i of dirty) {
        const at = i * SPORE_CHUNK_BYTES;
        writeSync(fd, module, at, Math.min(SPORE_CHUNK_BYTES, module.length - at), at);
      }
    } finally {
      closeSync(fd);
    }
    const tmp = join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, held, { mode: 0o600 });
    renameSync(tmp, this.held(hash));
    if (fresh) this.trim(hash);
  }

  remove(hash: string): void {
    if (!HASH.test(hash)) return;
    rmSync(this.held(hash), { force: true });
    rmSync(this.part(hash), { force: true });
  }

  /** Modules kept, by hash (hex). */
  list(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names.filter((n) => n.endsWith('.part') && HASH.test(n.slice(0, -5))).map((n) => n.slice(0, -5));
  }

  /** Removes the temp files of processes that died between writing and renaming them. */
  private sweep(): void {
    this.swept = true;
    for (const n of readdirSync(this.dir)) {
      const tmp = /^\.tmp-(\d+)-/.exec(n);
      if (tmp && !pidAlive(Number(tmp[1]))) rmSync(join(this.dir, n), { force: true });
    }
  }

  /** Keeps `cap` modules: the least recently written go first, never `keep`. */
  private trim(keep: string): void {
    const others = this.list().filter((h) => h !== keep);
    if (others.length < this.cap) return;
    const age = (h: string) => {
      try {
        return statSync(this.part(h)).mtimeMs;
      } catch {
        return 0;
      }
    };
    others.sort((a, b) => age(a) - age(b));
    for (const h of others.slice(0, others.length - this.cap + 1)) this.remove(h);
  }
}
