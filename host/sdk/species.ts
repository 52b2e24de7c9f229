// Species ids: a cell's identity on the wire is a hash of its canonical schema (docs/species.md),
// so any change to the schema (a breaking one included) is a new species, never an upgrade.
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalSchemaJson, type CellSchema } from './schema.ts';

/** Header values with a meaning of their own: 0 = kernel-to-kernel, 0xFFFFFFFF kept free like the broadcast node id. */
export const RESERVED_SPECIES = [0, 0xffffffff] as const;

/** First 4 bytes of SHA-256 of the canonical schema JSON (UTF-8), read little-endian, reserved values nudged. */
export function speciesIdOf(schema: CellSchema): number {
  return speciesIdFromDigest(sha256(new TextEncoder().encode(canonicalSchemaJson(schema))));
}

/** The species id for a SHA-256 digest: its first four bytes as a little-endian u32, reserved values nudged. */
export function speciesIdFromDigest(digest: Uint8Array): number {
  if (digest.length < 4) throw new RangeError(`a digest has at least 4 bytes, got ${digest.length}`);
  const id = new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, true);
  if (id === 0) return 1;
  if (id === 0xffffffff) return 0xfffffffe;
  return id;
}

/** `0x1234abcd`: eight lowercase hex digits, the spelling used in logs, docs and the CLI. */
export function speciesHex(id: number): string {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`species id must be a u32, got ${id}`);
  return `0x${id.toString(16).padStart(8, '0')}`;
}

/**
 * What a generated `<name>.client.ts` exports: enough to find (speciesId) and call (schema) a cell.
 * `Api` is phantom: it never exists at runtime and only carries the method types, so
 * `connect(Exchange)` is typed `Promise<ExchangeApi>` without a cast.
 */
export interface CellSpecies<Api> {
  readonly name: string;
  readonly speciesId: number;
  readonly schema: CellSchema;
  /** Type-level only; always undefined. */
  readonly __api?: Api;
}
