// The .spore file (docs/spores.md "File"): one object that moves and caches whole.
//
//   bytes 0-3   magic "SPOR"
//   byte  4     file format version (1)
//   byte  5     0 (reserved)
//   bytes 6-7   manifest length m, u16 little-endian (1..MANIFEST_MAX_BYTES)
//   m bytes     the manifest (deterministic CBOR, host/spore/manifest.ts)
//   64 bytes    ed25519 signature of "cell-spore-v1\0" + manifest (spore-signature.ts)
//   the module  exactly manifest.moduleSize bytes; nothing after it
import { open } from 'node:fs/promises';
import { decodeManifest, MANIFEST_MAX_BYTES, MODULE_MAX_BYTES, SPORE_FORMAT_VERSION, type SporeManifest } from './manifest.ts';
import { SIGNATURE_BYTES } from './spore-signature.ts';
import { SporeError } from './spore-error.ts';

export const SPORE_MAGIC = Uint8Array.of(0x53, 0x50, 0x4f, 0x52);
export const PRELUDE_BYTES = 8;
/** The largest well-formed .spore: anything longer is refused before it is read. */
export const SPORE_FILE_MAX_BYTES = PRELUDE_BYTES + MANIFEST_MAX_BYTES + SIGNATURE_BYTES + MODULE_MAX_BYTES;

export interface SporeParts {
  /** The manifest exactly as signed. */
  manifestBytes: Uint8Array;
  manifest: SporeManifest;
  signature: Uint8Array;
  module: Uint8Array;
}

export function encodeSporeFile(manifestBytes: Uint8Array, signature: Uint8Array, module: Uint8Array): Uint8Array {
  if (manifestBytes.length < 1 || manifestBytes.length > MANIFEST_MAX_BYTES) throw new SporeError('too-large', `manifest of ${manifestBytes.length} bytes: 1..${MANIFEST_MAX_BYTES}`);
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError(`a signature is ${SIGNATURE_BYTES} bytes, not ${signature.length}`);
  if (module.length > MODULE_MAX_BYTES) throw new SporeError('too-large', `module of ${module.length} bytes: at most ${MODULE_MAX_BYTES}`);
  const out = new Uint8Array(PRELUDE_BYTES + manifestBytes.length + SIGNATURE_BYTES + module.length);
  out.set(SPORE_MAGIC);
  out[4] = SPORE_FORMAT_VERSION;
  out[5] = 0;
  out[6] = manifestBytes.length & 0xff;
  out[7] = manifestBytes.length >> 8;
  out.set(manifestBytes, PRELUDE_BYTES);
  out.set(signature, PRELUDE_BYTES + manifestBytes.length);
  out.set(module, PRELUDE_BYTES + manifestBytes.length + SIGNATURE_BYTES);
  return out;
}

/**
 * The parts of a .spore, as views into `bytes` (nothing copied but the manifest's fields).
 * Structure and manifest only: the signature, hashes, trust and times are verify-spore.ts's.
 */
export function decodeSporeFile(bytes: Uint8Array): SporeParts {
  if (bytes.length > SPORE_FILE_MAX_BYTES) throw new SporeError('too-large', `spore of ${bytes.length} bytes: at most ${SPORE_FILE_MAX_BYTES}`);
  if (bytes.length < PRELUDE_BYTES) throw new SporeError('malformed', `truncated: ${bytes.length} bytes, shorter than the ${PRELUDE_BYTES}-byte prelude`);
  for (let i = 0; i < SPORE_MAGIC.length; i++) if (bytes[i] !== SPORE_MAGIC[i]) throw new SporeError('malformed', 'not a spore file (no "SPOR" magic)');
  if (bytes[4] !== SPORE_FORMAT_VERSION) throw new SporeError('wrong-format-version', `spore file format ${bytes[4]}; this node reads format ${SPORE_FORMAT_VERSION}`);
  if (bytes[5] !== 0) throw new SporeError('malformed', `prelude byte 5 is ${bytes[5]}, must be 0`);
  const m = bytes[6]! | (bytes[7]! << 8);
  if (m > MANIFEST_MAX_BYTES) throw new SporeError('too-large', `manifest of ${m} bytes: at most ${MANIFEST_MAX_BYTES}`);
  if (m === 0) throw new SporeError('malformed', 'manifest length is 0');
  const sigAt = PRELUDE_BYTES + m;
  const moduleAt = sigAt + SIGNATURE_BYTES;
  if (bytes.length < moduleAt) throw new SporeError('malformed', `truncated: ${bytes.length} bytes, the manifest and signature need ${moduleAt}`);
  const manifestBytes = bytes.subarray(PRELUDE_BYTES, sigAt);
  const manifest = decodeManifest(manifestBytes);
  const have = bytes.length - moduleAt;
  if (have < manifest.moduleSize) throw new SporeError('malformed', `truncated: the module has ${have} of its ${manifest.moduleSize} bytes`);
  if (have > manifest.moduleSize) throw new SporeError('malformed', `${have - manifest.moduleSize} trailing bytes after the ${manifest.moduleSize}-byte module`);
  return { manifestBytes, manifest, signature: bytes.subarray(sigAt, moduleAt), module: bytes.subarray(moduleAt) };
}

/** A .spore's bytes from disk; a file over SPORE_FILE_MAX_BYTES is refused from its size, unread. */
export async function readSporeFile(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > SPORE_FILE_MAX_BYTES) throw new SporeError('too-large', `${path}: ${size} bytes, a spore is at most ${SPORE_FILE_MAX_BYTES}`);
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await fh.close();
  }
}
