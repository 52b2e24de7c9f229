// The top of the kernel's memory (docs/abi.md, `k_memory_top`): the kernel's data and tables end
// below it and it never touches a byte above, so a board can give the kernel's runtime only that
// much memory (wasm3 memoryLimit) and the kernel behaves on V8, with its whole page, as it does
// there. The stub allocator lays every table out during start and never allocates again.
import { KERNEL_MEMORY_TOP } from "./target-tables";

/** Traps unless the heap ends at or below the top; called once, when every table is laid out. */
export function memoryTopCheck(): void {
  // An empty block starts where the heap ends (its 4-byte header just below). It is not freed: the
  // stub's free costs the mcu kernel's byte budget more than the 16 bytes it would give back.
  // A trap, not a message: a build that fails this is caught by test/kernel.test.ts, never shipped.
  if (heap.alloc(0) > <usize>KERNEL_MEMORY_TOP) unreachable();
}
