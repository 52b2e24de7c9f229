// Chunk proofs (docs/spores.md, Chunks): a run of chunks is checked the moment it arrives against
// the 32-byte chunk root, with hal.hash alone. A run is an aligned block of the tree (k chunks at
// an index that 2^L >= k divides): its leaves are hashed into the node at level L, and the proof
// carries that node's siblings up to the root. A board's runs are one chunk: it needs 97 bytes of
// scratch, not the module.
import { halHash } from "../hal/hal";
import { SPORE_CHUNK_BYTES, SPORE_HASH_BYTES } from "../protocol/table";
import { KERNEL_SPORE_RUN } from "./target-tables";

const NODE: usize = memory.data(1 + 2 * SPORE_HASH_BYTES);
// The run's leaf hashes, reduced in place to its subtree node (LEAVES' first 32 bytes).
const LEAVES: usize = memory.data(KERNEL_SPORE_RUN * SPORE_HASH_BYTES);

/** Bytes of chunk `i` of a module of `size` bytes in `n` chunks (every chunk but the last is full). */
export function chunkLen(size: i32, n: i32, i: i32): i32 {
  return i < n - 1 ? SPORE_CHUNK_BYTES : size - (n - 1) * SPORE_CHUNK_BYTES;
}

/** The level of a run of k chunks: the smallest L with 2^L >= k. */
export function runLevel(k: i32): i32 {
  return k <= 1 ? 0 : 32 - clz(k - 1);
}

/**
 * Chunks in the run of `len` bytes at chunk `i` of a module of `size` bytes in `n` chunks, or 0
 * if no run has that shape: a power of two k that divides i, or the module's last k chunks at an
 * index that the next power of two divides; every chunk but the module's last full; at most
 * KERNEL_SPORE_RUN (the scratch it is hashed in).
 */
export function runChunks(size: i32, n: i32, i: i32, len: i32): i32 {
  if (len <= 0 || i < 0 || i >= n) return 0;
  const k = (len + SPORE_CHUNK_BYTES - 1) / SPORE_CHUNK_BYTES;
  if (k > KERNEL_SPORE_RUN || k > n - i) return 0;
  const span = 1 << runLevel(k);
  if ((i & (span - 1)) != 0 || (k != span && i + k != n)) return 0;
  return len == (k - 1) * SPORE_CHUNK_BYTES + chunkLen(size, n, i + k - 1) ? k : 0;
}

/** leaf = SHA-256(0x00 || chunk) into out; the byte before the chunk is borrowed for the prefix and restored. */
@inline function leafHash(chunk: usize, len: i32, out: usize): void {
  const saved = load<u8>(chunk - 1);
  store<u8>(chunk - 1, 0x00);
  halHash(chunk - 1, len + 1, out);
  store<u8>(chunk - 1, saved);
}

/** node = SHA-256(0x01 || left || right) into out (out may be left). */
function nodeHash(left: usize, right: usize, out: usize): void {
  store<u8>(NODE, 0x01);
  memory.copy(NODE + 1, left, SPORE_HASH_BYTES);
  memory.copy(NODE + 1 + SPORE_HASH_BYTES, right, SPORE_HASH_BYTES);
  halHash(NODE, 1 + 2 * SPORE_HASH_BYTES, out);
}

/**
 * True if the `k` chunks at `run` (as runChunks accepted them; `last` bytes in the final one) are
 * chunks i..i+k-1 of n under `root`, by the `proofLen` bytes of sibling hashes at proof. The byte
 * before each chunk is borrowed for the 0x00 leaf prefix and restored.
 */
export function runValid(root: usize, n: i32, i: i32, run: usize, k: i32, last: i32, proof: usize, proofLen: i32): bool {
  // (A board's build has k = 1 and no loop: the mcu size budget.)
  if (KERNEL_SPORE_RUN == 1) leafHash(run, last, LEAVES);
  else for (let j = 0; j < k; j++) leafHash(run + <usize>(j * SPORE_CHUNK_BYTES), j == k - 1 ? last : SPORE_CHUNK_BYTES, LEAVES + <usize>(j * SPORE_HASH_BYTES));
  // Up to the run's node; inside the block the widths have the parity of the whole tree's, so
  // its last node is promoted exactly where the tree promotes it.
  let w = k;
  while (KERNEL_SPORE_RUN > 1 && w > 1) {
    for (let j = 0; j + 1 < w; j += 2) {
      nodeHash(LEAVES + <usize>(j * SPORE_HASH_BYTES), LEAVES + <usize>((j + 1) * SPORE_HASH_BYTES), LEAVES + <usize>((j >> 1) * SPORE_HASH_BYTES));
    }
    if ((w & 1) == 1) memory.copy(LEAVES + <usize>((w >> 1) * SPORE_HASH_BYTES), LEAVES + <usize>((w - 1) * SPORE_HASH_BYTES), SPORE_HASH_BYTES);
    w = (w + 1) >> 1;
  }
  let idx = i;
  w = n;
  if (KERNEL_SPORE_RUN > 1) {
    const level = runLevel(k);
    idx = i >> level;
    for (let l = 0; l < level; l++) w = (w + 1) >> 1;
  }
  let used = 0;
  while (w > 1) {
    // The last node of an odd level is promoted unchanged.
    if (!((w & 1) == 1 && idx == w - 1)) {
      if (used + SPORE_HASH_BYTES > proofLen) return false;
      const sib = proof + <usize>used;
      used += SPORE_HASH_BYTES;
      const right = (idx & 1) == 1;
      nodeHash(right ? sib : LEAVES, right ? LEAVES : sib, LEAVES);
    }
    idx >>= 1;
    w = (w + 1) >> 1;
  }
  return used == proofLen && memory.compare(LEAVES, root, SPORE_HASH_BYTES) == 0;
}
