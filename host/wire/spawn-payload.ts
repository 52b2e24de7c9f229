// SPAWN payloads (docs/spores.md, Mitosis on real hosts): an offer [hash, root, size, manifest,
// signature], or its answer [reason]. The kernel checks the shape of both; the host decodes an
// offer it was handed to check the manifest before anything is fetched.
import { decodeCbor, encodeCbor } from './cbor.ts';
import { SPORE_HASH_BYTES, SPORE_MAX_BYTES } from './protocol-table.ts';
import { MANIFEST_MAX_BYTES } from '../spore/manifest.ts';

export const SIGNATURE_BYTES = 64;

export interface SpawnOffer {
  hash: Uint8Array;
  root: Uint8Array;
  size: number;
  /** The signed manifest, exactly as signed. */
  manifest: Uint8Array;
  signature: Uint8Array;
}

export class SpawnPayloadError extends Error {}

export function encodeSpawnOffer(o: SpawnOffer): Uint8Array {
  return encodeCbor([o.hash, o.root, o.size, o.manifest, o.signature]);
}

/** The offer in `bytes`, or a SpawnPayloadError saying what is wrong with it. */
export function decodeSpawnOffer(bytes: Uint8Array): SpawnOffer {
  let v: unknown;
  try {
    v = decodeCbor(bytes);
  } catch (e) {
    throw new SpawnPayloadError(`SPAWN offer is not CBOR (${(e as Error).message})`);
  }
  if (!Array.isArray(v) || v.length !== 5) throw new SpawnPayloadError('SPAWN offer must be [hash, root, size, manifest, signature]');
  const [hash, root, size, manifest, signature] = v as unknown[];
  const bytesOf = (x: unknown, what: string, min: number, max: number): Uint8Array => {
    if (!(x instanceof Uint8Array) || x.length < min || x.length > max) throw new SpawnPayloadError(`SPAWN offer ${what} must be a byte string of ${min === max ? min : `${min}..${max}`} bytes`);
    return x;
  };
  const n = typeof size === 'bigint' ? Number(size) : size;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > SPORE_MAX_BYTES) throw new SpawnPayloadError(`SPAWN offer size must be 1..${SPORE_MAX_BYTES}`);
  return {
    hash: bytesOf(hash, 'hash', SPORE_HASH_BYTES, SPORE_HASH_BYTES),
    root: bytesOf(root, 'root', SPORE_HASH_BYTES, SPORE_HASH_BYTES),
    size: n,
    manifest: bytesOf(manifest, 'manifest', 1, MANIFEST_MAX_BYTES),
    signature: bytesOf(signature, 'signature', SIGNATURE_BYTES, SIGNATURE_BYTES),
  };
}
