// A cell's declared memory: how many bytes of its one 64 KiB page it uses (cell.toml
// `[cell.limits] memory`). `cell build` compiles the cell's allocator to stay below that figure
// (AssemblyScript's `--lowMemoryLimit`) and records it in the module as the custom section
// `cell.memory` (a u32, little-endian), which travels with the module into spores and a board's
// module store and is covered by the module's hash. A board (boards/runtime/core/cell-memory.c)
// then allocates only that many bytes for the cell's linear memory; a V8 host keeps the page but
// holds the cell's HAL calls to the same bound (host/runtime/cell-instance.ts). No binaryen here:
// hosting a cell reads this file.

export const MEMORY_SECTION = 'cell.memory';
export const PAGE_BYTES = 65536;

/**
 * AssemblyScript's TLSF allocator on wasm32 (std/assembly/rt/tlsf.ts): its root (first-level map,
 * 23 second-level maps, 23 x 16 list heads, the tail pointer) sits at the 16-aligned heap base and
 * takes ROOT_SIZE = 1572 bytes; the free block after it and the tail block cost 4 bytes each.
 */
export const TLSF_ROOT_BYTES = 1572;
const TLSF_BLOCK_HEADERS = 8;

/** Smallest and largest `memory` a cell may declare, and its granule (the allocator's alignment). */
export const MIN_CELL_MEMORY = 4096;
export const MAX_CELL_MEMORY = PAGE_BYTES;
export const CELL_MEMORY_GRANULE = 16;

/**
 * Bytes a cell needs below its limit before it holds any state: its static data (buffers, string
 * constants; up to `heapBase`), the allocator's root, and one call's decoded arguments at their
 * budget (`argHeapBytes`: the dispatcher charges each object at the block it takes and refuses
 * more with TOO_LARGE, so this much must fit), plus a 16th of it: TLSF looks for a free block up to
 * a 16th larger than a large request (its size classes), so the last allocation needs that slack.
 */
export function cellMemoryFloor(heapBase: number, argHeapBytes: number): number {
  const root = (heapBase + CELL_MEMORY_GRANULE - 1) & ~(CELL_MEMORY_GRANULE - 1);
  return root + TLSF_ROOT_BYTES + TLSF_BLOCK_HEADERS + argHeapBytes + Math.ceil(argHeapBytes / 16);
}

/** The section's payload for `bytes`. */
export function encodeMemorySection(bytes: number): Uint8Array {
  checkMemoryBytes(bytes);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, bytes, true);
  return out;
}

/** The bytes a `cell.memory` payload declares; throws on anything but a valid 4-byte figure. */
export function decodeMemorySection(payload: Uint8Array): number {
  if (payload.length !== 4) throw new RangeError(`custom section "${MEMORY_SECTION}" must hold 4 bytes (a u32), it holds ${payload.length}`);
  const bytes = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
  checkMemoryBytes(bytes);
  return bytes;
}

function checkMemoryBytes(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < MIN_CELL_MEMORY || bytes > MAX_CELL_MEMORY || bytes % CELL_MEMORY_GRANULE !== 0) {
    throw new RangeError(`custom section "${MEMORY_SECTION}": ${bytes} bytes is not a cell memory (${MIN_CELL_MEMORY}..${MAX_CELL_MEMORY}, a multiple of ${CELL_MEMORY_GRANULE})`);
  }
}
