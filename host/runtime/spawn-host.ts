// The host's side of SPAWN (docs/spores.md, Mitosis on real hosts). As the spawner: the signed
// spores of the species this node runs, so hal.spawn can offer one. As the target: the checks that
// need host data (the manifest's signature, trust and expiry, a free cell slot, CPU share) before
// anything is fetched, then fetch through the kernel, verify the whole spore, cache it, host it
// and hand its [cell.biology] to the kernel. The spawner keeps nothing of a replica once offered.
import { chunkRoot } from '../spore/chunk-tree.ts';
import { decodeManifest, type SporeManifest } from '../spore/manifest.ts';
import { decodeSporeFile, encodeSporeFile } from '../spore/spore-file.ts';
import type { SporeCache } from '../spore/spore-cache.ts';
import type { TrustStore } from '../spore/trust.ts';
import { manifestRefusal, manifestTimeRefusal, nowSeconds, same, verifySpore } from '../spore/verify-spore.ts';
import { sha256 } from '../identity/sha256.ts';
import { SPAWN_OK, SPAWN_UNTRUSTED, SPAWN_NO_ROOM, SPAWN_OVER_CPU } from '../wire/protocol-table.ts';
import { encodeSpawnOffer, type SpawnOffer } from '../wire/spawn-payload.ts';

/** Signed spores kept to offer: one per species this node ran (a node hosts at most a few). */
export const MAX_OFFERABLE = 64;
/** Cells one node hosts at most: the kernel's cell table (firmware/kernel/cells.ts MAX_CELLS). */
export const MAX_HOSTED_CELLS = 8;
/** A fetch running longer than this shows progress, updated this often. */
const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 250;

/** Where a spawn's fetch stands: reported while it runs past PROGRESS_AFTER_MS, then once with `done`. */
export interface FetchProgress {
  name: string;
  /** The module's size and the bytes held so far. */
  size: number;
  received: number;
  /** Time since the fetch started. */
  ms: number;
  /** The last report: the fetch ended, with all its bytes (`received` = `size`) or failed. */
  done: boolean;
}

export interface SpawnVerdict {
  reason: number;
  detail: string;
  manifest?: SporeManifest;
}

/** What the target-side checks read of the node. */
export interface SpawnRoom {
  hostedCells: number;
  /** The node's CPU load as last reported to its kernel (0..1). */
  load: number;
}

export interface SpawnHostOptions {
  trust: TrustStore;
  /** Where fetched spores are written (null: not cached, e.g. an ephemeral test node). */
  cache: SporeCache | null;
  /** Progress of a fetch that runs over a second, every PROGRESS_EVERY_MS and once at its end. */
  onProgress?: (p: FetchProgress) => void;
  now?: () => number;
}

export class SpawnHost {
  private readonly offers = new Map<number, Uint8Array>();
  readonly counts = { offered: 0, admitted: 0, refused: 0, fetched: 0, fromCache: 0, failed: 0 };

  constructor(private readonly opts: SpawnHostOptions) {}

  /** Whether this node can start others' replicas at all: it trusts some authority. */
  get takesSpawns(): boolean {
    return !this.opts.trust.isEmpty;
  }

  /** Remembers a verified spore (its parts as signed) so this node can offer its species. */
  remember(species: number, parts: { manifestBytes: Uint8Array; signature: Uint8Array; module: Uint8Array }): void {
    const offer = encodeSpawnOffer({ hash: sha256(parts.module), root: chunkRoot(parts.module), size: parts.module.length, manifest: parts.manifestBytes, signature: parts.signature });
    this.offers.delete(species);
    this.offers.set(species >>> 0, offer);
    while (this.offers.size > MAX_OFFERABLE) this.offers.delete(this.offers.keys().next().value!);
  }

  /** The SPAWN offer payload for `species`, or null when this node holds no signed spore of it (a bare .wasm). */
  offerFor(species: number): Uint8Array | null {
    const o = this.offers.get(species >>> 0) ?? null;
    if (o) this.counts.offered++;
    return o;
  }

  /** The checks before any fetch: manifest signature, trust, expiry, fields matching the offer, room, CPU. */
  admit(species: number, offer: SpawnOffer, room: SpawnRoom): SpawnVerdict {
    const refuse = (reason: number, detail: string, manifest?: SporeManifest): SpawnVerdict => {
      this.counts.refused++;
      return { reason, detail, manifest };
    };
    let m: SporeManifest;
    try {
      m = decodeManifest(offer.manifest);
    } catch (e) {
      return refuse(SPAWN_UNTRUSTED, `manifest does not decode: ${(e as Error).message}`);
    }
    // The same manifest checks verifySpore makes, before a byte of the module is fetched.
    const checked = manifestRefusal(m, offer.manifest, offer.signature, this.opts.trust);
    if ('reason' in checked) return refuse(SPAWN_UNTRUSTED, checked.detail, m);
    const late = manifestTimeRefusal(m, nowSeconds());
    if (late) return refuse(SPAWN_UNTRUSTED, late.detail, m);
    if (m.speciesId >>> 0 !== species >>> 0 || m.moduleSize !== offer.size || !same(m.moduleHash, offer.hash) || !same(m.chunkRoot, offer.root)) {
      return refuse(SPAWN_UNTRUSTED, 'the offer\'s species, hash, root or size differ from its signed manifest', m);
    }
    if (room.hostedCells >= MAX_HOSTED_CELLS) return refuse(SPAWN_NO_ROOM, `${room.hostedCells} cells hosted: the cell table is full`, m);
    if (room.load + m.biology.cpu_target > 1) return refuse(SPAWN_OVER_CPU, `load ${room.load.toFixed(2)} + cpu_target ${m.biology.cpu_target} is over 1`, m);
    this.counts.admitted++;
    return { reason: SPAWN_OK, detail: 'accepted', manifest: m };
  }

  /**
   * After an accepted offer: the module from the cache if it holds that hash (a node that ran or
   * fetched it before, restarts included), else `fetch` brings it through the kernel; either way the
   * whole spore is verified again (hash, signature, trust, expiry) before it is cached and returned
   * to be run. `received` says how many of its bytes the fetch holds so far (for progress).
   */
  async fetchVerified(offer: SpawnOffer, manifest: SporeManifest, fetch: () => Promise<Uint8Array>, received: () => number = () => 0): Promise<{ module: Uint8Array; manifest: SporeManifest; fromCache: boolean }> {
    const cached = this.opts.cache ? await this.opts.cache.get(Buffer.from(offer.hash).toString('hex')) : null;
    const now = this.opts.now ?? (() => performance.now());
    const t0 = now();
    const onProgress = this.opts.onProgress;
    let shown = false;
    // A fetch shorter than PROGRESS_AFTER_MS reports nothing, not even its end.
    const report = (done: boolean, bytes = received()) => {
      const ms = now() - t0;
      if (!onProgress || (!shown && (done || ms < PROGRESS_AFTER_MS))) return;
      shown = true;
      onProgress({ name: manifest.name, size: offer.size, received: Math.min(offer.size, bytes), ms, done });
    };
    let fetched = false;
    const timer = onProgress ? setInterval(() => report(false), PROGRESS_EVERY_MS) : undefined;
    try {
      // The cached file's module hashes to its name, the offer's hash; the offer's manifest is checked below.
      const module = cached ? decodeSporeFile(cached).module : await fetch();
      fetched = true;
      const spore = encodeSporeFile(offer.manifest, offer.signature, module);
      const r = verifySpore(spore, { trust: this.opts.trust, now: nowSeconds() });
      if (!r.ok) throw new Error(`fetched spore refused (${r.reason}): ${r.detail}`);
      await this.opts.cache?.put(spore);
      if (cached) this.counts.fromCache++;
      else this.counts.fetched++;
      return { module: r.spore.module, manifest: r.spore.manifest, fromCache: cached !== null };
    } catch (e) {
      this.counts.failed++;
      throw e;
    } finally {
      if (timer) clearInterval(timer);
      report(true, fetched ? offer.size : received());
    }
  }
}
