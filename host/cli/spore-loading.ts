// What `cell run` hosts: .wasm files as they are, .spore files only once verified under this
// node's trust (--trust, [trust]); a verified spore goes into the cache, pinned while the node runs.
// `cell flash` verifies the spores it installs into a board with the same two functions
// (trustStoreOf, readVerifiedSpore), without the cache: the board's module store keeps them.
import { readFile } from 'node:fs/promises';
import type { CellBiology } from '../build/cell-toml.ts';
import type { TrustConfig } from '../runtime/node-config.ts';
import { parsePublicKeyArg } from '../spore/authority-key.ts';
import { SporeCache } from '../spore/spore-cache.ts';
import { readSporeFile } from '../spore/spore-file.ts';
import { SporeError, SporeRejectCounts, type SporeRejectReason } from '../spore/spore-error.ts';
import { TrustStore } from '../spore/trust.ts';
import { nowSeconds, verifySpore, type VerifiedSpore } from '../spore/verify-spore.ts';

export interface LoadedCell {
  file: string;
  module: Uint8Array;
  /** ' (spore <hash>, authority <key>)' for a spore, '' for a .wasm. */
  from: string;
  /** The signed manifest's [cell.biology]; a bare .wasm carries none (its cell does not divide). */
  biology?: CellBiology;
  /** The spore's parts as signed, so this node can offer the species to others (SPAWN); none for a .wasm. */
  signed?: { manifestBytes: Uint8Array; signature: Uint8Array; module: Uint8Array };
}

export interface LoadedSpores {
  cells: LoadedCell[];
  trust: TrustStore;
  /** Opened only when there is a spore to cache: a node of .wasm files leaves ~/.cell/spores alone. */
  cache: SporeCache | null;
  refused: SporeRejectCounts;
  /** Unpins what this node pinned (on a clean stop; a killed node's pins lapse with its pid). */
  release(): Promise<void>;
}

/** A .spore refused by verifySpore (or unreadable as a spore): its file, the check that failed, why. */
export class SporeRefusedError extends Error {
  override name = 'SporeRefusedError';
  constructor(readonly file: string, readonly reason: SporeRejectReason, readonly detail: string) {
    super(`${file}: refused (${reason}): ${detail}`);
  }
}

/** The authorities this command trusts: the [trust] table of its config, then each --trust KEY (64 hex or FILE.pub). */
export async function trustStoreOf(trustArgs: string[], trustConfig: TrustConfig): Promise<TrustStore> {
  return new TrustStore({
    authorities: [...trustConfig.authorities, ...await Promise.all(trustArgs.map(parsePublicKeyArg))],
    revoked: trustConfig.revoked,
    followSuccessors: trustConfig.followSuccessors,
  });
}

/**
 * A .spore read and verified under `trust` now (verify-spore.ts: format, ABI, authority,
 * signature, module hash, chunk root, schema, times), or a SporeRefusedError counted in `refused`.
 * A successor the verified manifest names is learnt into `trust`; `learnt` says so, for the log.
 */
export async function readVerifiedSpore(file: string, trust: TrustStore, refused?: SporeRejectCounts): Promise<{ bytes: Uint8Array; spore: VerifiedSpore; learnt: string | null }> {
  let bytes: Uint8Array;
  try {
    bytes = await readSporeFile(file);
  } catch (err) {
    if (!(err instanceof SporeError)) throw err;
    refused?.count(err.reason);
    throw new SporeRefusedError(file, err.reason, err.detail);
  }
  const r = verifySpore(bytes, { trust, now: nowSeconds() });
  if (!r.ok) {
    refused?.count(r.reason);
    throw new SporeRefusedError(file, r.reason, r.detail);
  }
  return { bytes, spore: r.spore, learnt: trust.learn(r.spore.manifest) };
}

export async function loadSpores(files: string[], opts: { trustArgs: string[]; trustConfig: TrustConfig; cacheDir?: string }): Promise<LoadedSpores> {
  const trust = await trustStoreOf(opts.trustArgs, opts.trustConfig);
  let cache: SporeCache | null = null;
  const refused = new SporeRejectCounts();
  const cells: LoadedCell[] = [];
  const pinned: string[] = [];
  for (const file of files) {
    if (!file.endsWith('.spore')) {
      cells.push({ file, module: new Uint8Array(await readFile(file)), from: '' });
      continue;
    }
    const { bytes, spore, learnt } = await readVerifiedSpore(file, trust, refused);
    if (learnt) console.log(learnt);
    cache ??= await SporeCache.open({ dir: opts.cacheDir });
    await cache.put(bytes);
    await cache.pin(spore.hash);
    pinned.push(spore.hash);
    cells.push({ file, module: spore.module, biology: spore.manifest.biology, signed: spore, from: ` (spore ${spore.hash.slice(0, 16)}, authority ${Buffer.from(spore.manifest.authority).toString('hex').slice(0, 16)}, cached in ${cache.dir})` });
  }
  return {
    cells, trust, cache, refused,
    release: async () => {
      for (const h of pinned) await cache!.unpin(h);
    },
  };
}
