// The chunk tree of a spore's module (docs/spores.md "Chunks"): a binary hash tree over the
// module's SPORE_CHUNK_BYTES-byte chunks, so each chunk fetched from an untrusted holder is checked
// on arrival against one 32-byte root from the signed manifest, with O(log n) proof bytes and no
// per-chunk list in a board's memory. The kernel verifies proofs itself (firmware); this is the
// host's side: the root for a manifest, the proof a holder serves, and a reference verifier.
import { sha256 } from '../identity/sha256.ts';
import { SPORE_CHUNK_BYTES } from '../wire/protocol-table.ts';

export const HASH_BYTES = 32;
const LEAF = 0x00;
const NODE = 0x01;

// The prefix and its parts are laid out here and hashed in one call (the tree hashes 2n - 1 times).
let scratch = new Uint8Array(1 + SPORE_CHUNK_BYTES);

function prefixedHash(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let len = 1;
  for (const p of parts) len += p.length;
  if (scratch.length < len) scratch = new Uint8Array(len);
  scratch[0] = prefix;
  let at = 1;
  for (const p of parts) {
    scratch.set(p, at);
    at += p.length;
  }
  return sha256(scratch.subarray(0, len));
}

/** Chunks in a module of `size` bytes (size >= 1). */
export function chunkCount(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`module size ${size}: must be a positive integer`);
  return Math.ceil(size / SPORE_CHUNK_BYTES);
}

/** Chunk i of the module (the last one may be shorter). */
export function chunkOf(module: Uint8Array, i: number): Uint8Array {
  const n = chunkCount(module.length);
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`chunk ${i}: the module has ${n}`);
  return module.subarray(i * SPORE_CHUNK_BYTES, Math.min(module.length, (i + 1) * SPORE_CHUNK_BYTES));
}

export function leafHash(chunk: Uint8Array): Uint8Array {
  return prefixedHash(LEAF, chunk);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return prefixedHash(NODE, left, right);
}

/**
 * Every level of the tree, leaves first, root last. A level of odd width promotes its last node
 * unchanged (no duplicate hashing), so a proof has no entry for that level.
 */
export function chunkTree(module: Uint8Array): Uint8Array[][] {
  const n = chunkCount(module.length);
  let level: Uint8Array[] = [];
  for (let i = 0; i < n; i++) level.push(leafHash(chunkOf(module, i)));
  const levels = [level];
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) up.push(level[level.length - 1]!);
    levels.push(up);
    level = up;
  }
  return levels;
}

export function chunkRoot(module: Uint8Array): Uint8Array {
  const levels = chunkTree(module);
  return levels[levels.length - 1]![0]!;
}

/** Entries in the proof of chunk i of n: one per level where the node has a sibling. */
export function proofLength(n: number, i: number): number {
  let len = 0;
  for (let width = n, idx = i; width > 1; width = (width + 1) >> 1, idx >>= 1) {
    if (!(idx === width - 1 && width % 2 === 1)) len++;
  }
  return len;
}

/** The sibling hashes from leaf i up to the root, concatenated (32 bytes each). */
export function chunkProof(levels: Uint8Array[][], i: number): Uint8Array {
  const n = levels[0]!.length;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`chunk ${i}: the tree has ${n}`);
  return nodeProof(levels, 0, i);
}

/** The level of a run of k chunks: the smallest L with 2^L >= k (the kernel's runLevel). */
export function runLevel(k: number): number {
  return k <= 1 ? 0 : 32 - Math.clz32(k - 1);
}

/** Whether `count` chunks at `index` of `n` name a run: index is a chunk, count a power of two that divides it. */
export function isRun(n: number, index: number, count: number): boolean {
  return Number.isInteger(index) && index >= 0 && index < n && Number.isInteger(count) && count >= 1 && (count & (count - 1)) === 0 && index % count === 0;
}

/**
 * The run of `count` chunks at `index` (count a power of two that divides index; fewer at the
 * module's end) and the proof of its subtree node: what one SPORE_DATA carries (docs/spores.md, Chunks).
 */
export function chunkRun(module: Uint8Array, levels: Uint8Array[][], index: number, count: number): { chunk: Uint8Array; proof: Uint8Array } {
  const n = levels[0]!.length;
  if (!isRun(n, index, count)) {
    throw new RangeError(`a run of ${count} chunks at chunk ${index} of ${n}: the index must be a chunk and the count a power of two that divides it`);
  }
  const k = Math.min(count, n - index);
  const level = runLevel(k);
  const end = Math.min(module.length, (index + k) * SPORE_CHUNK_BYTES);
  return { chunk: module.subarray(index * SPORE_CHUNK_BYTES, end), proof: nodeProof(levels, level, index >> level) };
}

/** The sibling hashes from node i of level `level` up to the root, concatenated (32 bytes each). */
function nodeProof(levels: Uint8Array[][], level: number, i: number): Uint8Array {
  const n = levels[level]?.length ?? 0;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`node ${i} of level ${level}: the tree has ${n}`);
  const out = new Uint8Array(proofLength(n, i) * HASH_BYTES);
  let k = 0;
  let idx = i;
  for (let l = level; l < levels.length - 1; l++, idx >>= 1) {
    const width = levels[l]!.length;
    if (idx === width - 1 && width % 2 === 1) continue;
    out.set(levels[l]![idx ^ 1]!, k * HASH_BYTES);
    k++;
  }
  return out;
}

/** True if `chunk` is chunk i of n under `root`: the reference the kernel's verifier is tested against. */
export function verifyChunk(root: Uint8Array, n: number, i: number, chunk: Uint8Array, proof: Uint8Array): boolean {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(i) || i < 0 || i >= n) return false;
  if (proof.length !== proofLength(n, i) * HASH_BYTES) return false;
  // Every chunk but the last is full; the last holds 1..SPORE_CHUNK_BYTES bytes.
  if (i < n - 1 ? chunk.length !== SPORE_CHUNK_BYTES : chunk.length < 1 || chunk.length > SPORE_CHUNK_BYTES) return false;
  let h = leafHash(chunk);
  let k = 0;
  for (let width = n, idx = i; width > 1; width = (width + 1) >> 1, idx >>= 1) {
    if (idx === width - 1 && width % 2 === 1) continue;
    const sib = proof.subarray(k * HASH_BYTES, (k + 1) * HASH_BYTES);
    k++;
    h = idx % 2 === 0 ? nodeHash(h, sib) : nodeHash(sib, h);
  }
  return Buffer.from(h).equals(Buffer.from(root));
}
