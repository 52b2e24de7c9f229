// What `cell run` hosts: .wasm files as they are, .spore files only once verified under this
// node's trust (--trust, [trust]); a verified spore goes into the cache, pinned while the node runs.
import { readFile } from 'node:fs/promises';
import type { CellBiology } from '../build/cell-toml.ts';
import type { TrustConfig } from '../runtime/node-config.ts';
import { parsePublicKeyArg } from '../spore/authority-key.ts';
import { SporeCache } from '../spore/spore-cache.ts';
import { readSporeFile } from '../spore/spore-file.ts';
import { SporeError, SporeRejectCounts } from '../spore/spore-error.ts';
import { TrustStore } from '../spore/trust.ts';
import { nowSeconds, verifySpore } from '../spore/verify-spore.ts';

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

export async function loadSpores(files: string[], opts: { trustArgs: string[]; trustConfig: TrustConfig; cacheDir?: string }): Promise<LoadedSpores> {
  const trust = new TrustStore({
    authorities: [...opts.trustConfig.authorities, ...await Promise.all(opts.trustArgs.map(parsePublicKeyArg))],
    revoked: opts.trustConfig.revoked,
    followSuccessors: opts.trustConfig.followSuccessors,
  });
  let cache: SporeCache | null = null;
  const refused = new SporeRejectCounts();
  const cells: LoadedCell[] = [];
  const pinned: string[] = [];
  for (const file of files) {
    if (!file.endsWith('.spore')) {
      cells.push({ file, module: new Uint8Array(await readFile(file)), from: '' });
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readSporeFile(file);
    } catch (err) {
      if (!(err instanceof SporeError)) throw err;
      refused.count(err.reason);
      throw new Error(`${file}: refused (${err.reason}): ${err.detail}`);
    }
    const r = verifySpore(bytes, { trust, now: nowSeconds() });
    if (!r.ok) {
      refused.count(r.reason);
      throw new Error(`${file}: refused (${r.reason}): ${r.detail}`);
    }
    const learnt = trust.learn(r.spore.manifest);
    if (learnt) console.log(learnt);
    cache ??= await SporeCache.open({ dir: opts.cacheDir });
    await cache.put(bytes);
    await cache.pin(r.spore.hash);
    pinned.push(r.spore.hash);
    cells.push({ file, module: r.spore.module, biology: r.spore.manifest.biology, signed: r.spore, from: ` (spore ${r.spore.hash.slice(0, 16)}, authority ${Buffer.from(r.spore.manifest.authority).toString('hex').slice(0, 16)}, cached in ${cache.dir})` });
  }
  return {
    cells, trust, cache, refused,
    release: async () => {
      for (const h of pinned) await cache!.unpin(h);
    },
  };
}
