// Making a spore: the manifest of a built cell, signed by its authority, packed with the module
// into one .spore (`cell build --sign`).
import type { CellBiology } from '../build/cell-toml.ts';
import type { ManifestLimits } from './manifest.ts';
import { canonicalSchemaJson, type CellSchema } from '../sdk/schema.ts';
import { speciesIdOf } from '../sdk/species.ts';
import type { AuthorityKey } from './authority-key.ts';
import { chunkRoot } from './chunk-tree.ts';
import { CELL_ABI_VERSION, encodeManifest, normalizeCpuTarget, SPORE_FORMAT_VERSION, type SporeManifest } from './manifest.ts';
import { encodeSporeFile } from './spore-file.ts';
import { signManifest } from './spore-signature.ts';
import { sha256 } from '../identity/sha256.ts';

export interface SporeSource {
  module: Uint8Array;
  schema: CellSchema;
  biology: CellBiology;
  limits: ManifestLimits;
}

export interface SignOptions {
  key: AuthorityKey;
  /** Unix seconds. */
  issuedAt: number;
  expiresAt: number;
  revision: number;
  successor?: Uint8Array | null;
}

export function manifestFor(src: SporeSource, opts: Omit<SignOptions, 'key'> & { authority: Uint8Array }): SporeManifest {
  return {
    formatVersion: SPORE_FORMAT_VERSION,
    speciesId: speciesIdOf(src.schema),
    moduleHash: sha256(src.module),
    moduleSize: src.module.length,
    chunkRoot: chunkRoot(src.module),
    abiVersion: CELL_ABI_VERSION,
    name: src.schema.name,
    schema: canonicalSchemaJson(src.schema),
    biology: { ...src.biology, cpu_target: normalizeCpuTarget(src.biology.cpu_target) },
    limits: { in_bytes: src.limits.in_bytes, out_bytes: src.limits.out_bytes },
    authority: opts.authority,
    revision: opts.revision,
    issuedAt: opts.issuedAt,
    expiresAt: opts.expiresAt,
    successor: opts.successor ?? null,
  };
}

/** The .spore bytes of a built cell. */
export function signSpore(src: SporeSource, opts: SignOptions): Uint8Array {
  const manifestBytes = encodeManifest(manifestFor(src, { ...opts, authority: opts.key.publicKey }));
  return encodeSporeFile(manifestBytes, signManifest(opts.key.secretKey, manifestBytes), src.module);
}
