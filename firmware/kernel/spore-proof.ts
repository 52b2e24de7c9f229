// Chunk proofs (docs/spores.md, Chunks): a chunk is checked the moment it arrives against the
// 32-byte chunk root, with hal.hash alone: a board needs 65 bytes of scratch, not the module.
import { halHash } from "../hal/hal";
import { SPORE_CHUNK_BYTES, SPORE_HASH_BYTES } from "../protocol/table";

const NODE: usize = memory.data(1 + 2 * SPORE_HASH_BYTES);
const CUR: usize = NODE + 1 + SPORE_HASH_BYTES;

/** Bytes of chunk `i` of a module of `size` bytes in `n` chunks (every chunk but the last is full). */
export function chunkLen(size: i32, n: i32, i: i32): i32 {
  return i < n - 1 ? SPORE_CHUNK_BYTES : size - (n - 1) * SPORE_CHUNK_BYTES;
}

/**
 * True if the `len` bytes at chunk are chunk `i` of `n` under `root`, by the `proofLen` bytes of
 * sibling hashes at proof. The byte before `chunk` is borrowed for the 0x00 leaf prefix and restored.
 */
export function proofValid(root: usize, n: i32, i: i32, chunk: usize, len: i32, proof: usize, proofLen: i32): bool {
  const saved = load<u8>(chunk - 1);
  store<u8>(chunk - 1, 0x00);
  halHash(chunk - 1, len + 1, CUR);
  store<u8>(chunk - 1, saved);
  store<u8>(NODE, 0x01);
  let idx = i;
  let w = n;
  let used = 0;
  while (w > 1) {
    // The last node of an odd level is promoted unchanged.
    if (!((w & 1) == 1 && idx == w - 1)) {
      if (used + SPORE_HASH_BYTES > proofLen) return false;
      const sib = proof + <usize>used;
      used += SPORE_HASH_BYTES;
      if ((idx & 1) == 1) {
        memory.copy(NODE + 1, sib, SPORE_HASH_BYTES);
        memory.copy(NODE + 1 + SPORE_HASH_BYTES, CUR, SPORE_HASH_BYTES);
      } else {
        memory.copy(NODE + 1, CUR, SPORE_HASH_BYTES);
        memory.copy(NODE + 1 + SPORE_HASH_BYTES, sib, SPORE_HASH_BYTES);
      }
      halHash(NODE, 1 + 2 * SPORE_HASH_BYTES, CUR);
    }
    idx >>= 1;
    w = (w + 1) >> 1;
  }
  return used == proofLen && memory.compare(CUR, root, SPORE_HASH_BYTES) == 0;
}
