// A spore's manifest (docs/spores.md "Manifest"): what the authority vouches for, in deterministic
// CBOR so the signed bytes are the one encoding of the value. A CBOR map with small unsigned
// integer keys in ascending order, definite lengths, shortest heads, no floats, no tags; a decoder
// re-encodes what it read and refuses the manifest unless the bytes are identical.
import { Encoder } from 'cbor-x/encode';
import type { CellBiology, CellLimits } from '../build/cell-toml.ts';
import { canonicalSchemaJson, SERVICE_NAME, validateSchema } from '../sdk/schema.ts';
import { speciesIdOf } from '../sdk/species.ts';
import { SporeError } from './spore-error.ts';
import { SPORE_MAX_BYTES } from '../wire/protocol-table.ts';

/** What field 9 carries of `[cell.limits]`. */
export type ManifestLimits = Pick<CellLimits, 'in_bytes' | 'out_bytes'>;

/** This manifest layout. A node refuses another version rather than guess at its fields. */
export const SPORE_FORMAT_VERSION = 1;
/** The cell ABI of docs/abi.md "Cell ABI": a node refuses a module built for another. */
export const CELL_ABI_VERSION = 1;
/** Largest manifest: a schema of a few dozen methods fits with room to spare (the example cells' are about 600 bytes). */
export const MANIFEST_MAX_BYTES = 4096;
/** Largest module a spore carries: the kernel's fetch cap (docs/spores.md "File"). */
/** The kernel's fetch cap: a spore carries no module it could not fetch. */
export const MODULE_MAX_BYTES = SPORE_MAX_BYTES;
const HASH_BYTES = 32;
const KEY_BYTES = 32;
/** cpu_target travels as parts per million: an integer, so no float encoding to agree on. */
const PPM = 1_000_000;

export interface SporeManifest {
  formatVersion: number;
  speciesId: number;
  /** SHA-256 of the whole module: its content address. */
  moduleHash: Uint8Array;
  moduleSize: number;
  /** chunkRoot(module) of host/spore/chunk-tree.ts: each fetched chunk is checked against it. */
  chunkRoot: Uint8Array;
  abiVersion: number;
  name: string;
  /** The canonical schema JSON (canonicalSchemaJson): speciesId is derived from it. */
  schema: string;
  biology: CellBiology;
  /** The cell's buffers; its memory is declared in the module itself (host/build/cell-memory.ts). */
  limits: ManifestLimits;
  /** The authority's ed25519 public key: the manifest is signed with its secret key. */
  authority: Uint8Array;
  revision: number;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds; the manifest is refused at or after this time. */
  expiresAt: number;
  /** A key the authority hands over to (docs/spores.md "Trust and key rotation"), or null. */
  successor: Uint8Array | null;
}

/** The map keys, in their encoding order. */
const K = {
  formatVersion: 0, speciesId: 1, moduleHash: 2, moduleSize: 3, chunkRoot: 4, abiVersion: 5, name: 6, schema: 7,
  biology: 8, limits: 9, authority: 10, revision: 11, issuedAt: 12, expiresAt: 13, successor: 14,
} as const;
const LAST_KEY = K.successor;

// A codec of its own: maps as Map (integer keys stay integers, in insertion order), byte strings
// untagged, no cbor-x records or packing.
const codec = new Encoder({
  useRecords: false, mapsAsObjects: false, variableMapSize: true, tagUint8Array: false, pack: false,
  useTag259ForMaps: false,
} as ConstructorParameters<typeof Encoder>[0] & { useTag259ForMaps: boolean });

const U32 = 0xffffffff;

function bad(detail: string): never {
  throw new SporeError('malformed', detail);
}

/** The manifest's bytes. Throws for a value the format cannot carry (a RangeError, or the SporeError its decoder would give). */
export function encodeManifest(m: SporeManifest): Uint8Array {
  if (normalizeCpuTarget(m.biology.cpu_target) !== m.biology.cpu_target) throw new RangeError(`cpu_target ${m.biology.cpu_target} is not a whole number of millionths (round it first: normalizeCpuTarget)`);
  const bytes = cborOf(m);
  // Only fields a decoder accepts: the encoder never writes what it would itself refuse.
  decodeManifest(bytes);
  return bytes;
}

/** cpu_target as the manifest carries it (a whole number of millionths). */
export function normalizeCpuTarget(x: number): number {
  return Math.round(x * PPM) / PPM;
}

/**
 * The manifest in `bytes`, checked field by field; a SporeError otherwise ('too-large',
 * 'malformed', 'wrong-format-version', 'non-canonical'). ABI and times are the verifier's.
 */
export function decodeManifest(bytes: Uint8Array): SporeManifest {
  if (bytes.length > MANIFEST_MAX_BYTES) throw new SporeError('too-large', `manifest of ${bytes.length} bytes: at most ${MANIFEST_MAX_BYTES}`);
  let value: unknown;
  try {
    value = codec.decode(bytes);
  } catch (err) {
    bad(`manifest is not one CBOR item: ${(err as Error).message}`);
  }
  if (!(value instanceof Map)) bad('manifest is not a CBOR map');
  const map = value as Map<unknown, unknown>;
  // The version first: a later format may change every other field.
  const version = map.get(K.formatVersion);
  if (version !== SPORE_FORMAT_VERSION) {
    if (Number.isSafeInteger(version)) throw new SporeError('wrong-format-version', `manifest format ${version as number}; this node reads format ${SPORE_FORMAT_VERSION}`);
    bad('manifest has no format version (key 0)');
  }
  for (const k of map.keys()) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > LAST_KEY) bad(`manifest has an unknown key ${String(k)}`);
  }
  const uint = (key: number, what: string, max = Number.MAX_SAFE_INTEGER): number => {
    const v = map.get(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) bad(`${what} (key ${key}) must be an unsigned integer up to ${max}`);
    return v as number;
  };
  const bytesOf = (key: number, what: string, len: number): Uint8Array => {
    const v = map.get(key);
    if (!(v instanceof Uint8Array) || v.length !== len) bad(`${what} (key ${key}) must be a ${len}-byte string`);
    return new Uint8Array(v as Uint8Array);
  };
  const uints = (key: number, what: string, n: number): number[] => {
    const v = map.get(key);
    if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) bad(`${what} (key ${key}) must be an array of ${n} unsigned integers`);
    return v as number[];
  };
  const text = (key: number, what: string): string => {
    const v = map.get(key);
    if (typeof v !== 'string') bad(`${what} (key ${key}) must be a text string`);
    return v as string;
  };

  const speciesId = uint(K.speciesId, 'species id', U32);
  const moduleHash = bytesOf(K.moduleHash, 'module hash', HASH_BYTES);
  const moduleSize = uint(K.moduleSize, 'module size');
  if (moduleSize > MODULE_MAX_BYTES) throw new SporeError('too-large', `module of ${moduleSize} bytes: at most ${MODULE_MAX_BYTES}`);
  if (moduleSize < 1) bad('module size (key 3) must be at least 1 byte');
  const chunkRoot = bytesOf(K.chunkRoot, 'chunk root', HASH_BYTES);
  const abiVersion = uint(K.abiVersion, 'ABI version', U32);
  const name = text(K.name, 'cell name');
  if (!SERVICE_NAME.test(name)) bad(`cell name ${JSON.stringify(name.slice(0, 80))} does not match ${SERVICE_NAME}`);
  const schema = text(K.schema, 'schema');
  let canonical: string;
  let schemaName: string;
  let schemaSpecies: number;
  try {
    const parsed = validateSchema(JSON.parse(schema));
    canonical = canonicalSchemaJson(parsed);
    schemaName = parsed.name;
    schemaSpecies = speciesIdOf(parsed);
  } catch (err) {
    bad(`schema (key 7) is not a valid cell schema: ${(err as Error).message}`);
  }
  if (canonical !== schema) throw new SporeError('non-canonical', 'schema (key 7) is not in canonical JSON form (keys sorted, no whitespace)');
  if (schemaName !== name) bad(`cell name "${name}" differs from the schema's "${schemaName}"`);
  if (schemaSpecies !== speciesId) bad(`species id 0x${speciesId.toString(16)} is not the schema's (0x${schemaSpecies.toString(16)})`);
  const [minReplicas, maxReplicas, ppm] = uints(K.biology, 'biology [min_replicas, max_replicas, cpu_target_ppm]', 3) as [number, number, number];
  if (minReplicas < 1 || maxReplicas < minReplicas || maxReplicas > 65535) bad(`biology: need 1 <= min_replicas (${minReplicas}) <= max_replicas (${maxReplicas}) <= 65535`);
  if (ppm < 1 || ppm > PPM) bad(`biology: cpu_target ${ppm} ppm is not in 1..${PPM}`);
  const [inBytes, outBytes] = uints(K.limits, 'limits [in_bytes, out_bytes]', 2) as [number, number];
  if (inBytes > 0xffff || outBytes > 0xffff) bad(`limits: in_bytes ${inBytes} and out_bytes ${outBytes} must fit 16 bits`);
  const authority = bytesOf(K.authority, 'authority', KEY_BYTES);
  const revision = uint(K.revision, 'revision', U32);
  const issuedAt = uint(K.issuedAt, 'issued time');
  const expiresAt = uint(K.expiresAt, 'expiry time');
  if (expiresAt <= issuedAt) bad(`expiry ${expiresAt} is not after issue ${issuedAt}`);
  const successor = map.has(K.successor) ? bytesOf(K.successor, 'successor key', KEY_BYTES) : null;

  const m: SporeManifest = {
    formatVersion: SPORE_FORMAT_VERSION, speciesId, moduleHash, moduleSize, chunkRoot, abiVersion, name, schema,
    biology: { min_replicas: minReplicas, max_replicas: maxReplicas, cpu_target: ppm / PPM },
    limits: { in_bytes: inBytes, out_bytes: outBytes },
    authority, revision, issuedAt, expiresAt, successor,
  };
  // Key order, duplicate keys, head lengths, indefinite items, floats for integers, tags: all
  // change the bytes a canonical encoder writes for the value read.
  const again = cborOf(m);
  if (Buffer.compare(again, bytes) !== 0) throw new SporeError('non-canonical', 'manifest is not in deterministic CBOR (integer keys ascending, definite lengths, shortest heads, nothing else)');
  return m;
}

function cborOf(m: SporeManifest): Uint8Array {
  const map = new Map<number, unknown>([
    [K.formatVersion, m.formatVersion], [K.speciesId, m.speciesId], [K.moduleHash, m.moduleHash], [K.moduleSize, m.moduleSize],
    [K.chunkRoot, m.chunkRoot], [K.abiVersion, m.abiVersion], [K.name, m.name], [K.schema, m.schema],
    [K.biology, [m.biology.min_replicas, m.biology.max_replicas, Math.round(m.biology.cpu_target * PPM)]],
    [K.limits, [m.limits.in_bytes, m.limits.out_bytes]], [K.authority, m.authority], [K.revision, m.revision],
    [K.issuedAt, m.issuedAt], [K.expiresAt, m.expiresAt],
  ]);
  if (m.successor) map.set(K.successor, m.successor);
  return new Uint8Array(codec.encode(map));
}
