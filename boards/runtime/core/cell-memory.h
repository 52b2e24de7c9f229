/* A cell's declared memory (host/build/cell-memory.ts): the custom section "cell.memory", a u32
 * little-endian byte count below or at one 64 KiB page, written by `cell build` from cell.toml's
 * `[cell.limits] memory`. The runtime gives wasm3 that figure as the runtime's memoryLimit, so the
 * cell's linear memory takes those bytes of RAM instead of a whole page. */
#ifndef CELL_BOARD_CELL_MEMORY_H
#define CELL_BOARD_CELL_MEMORY_H
#include <stddef.h>
#include <stdint.h>

#define CELL_MEMORY_SECTION "cell.memory"
#define CELL_MEMORY_MIN 4096u
#define CELL_MEMORY_MAX 65536u
#define CELL_MEMORY_GRANULE 16u

/* Reads the section from a module's bytes: NULL with *bytes set (0: the module declares none, so
 * it gets its whole memory), or the reason the module is refused (the host's words, inspect.ts). */
const char *cell_declared_memory(const uint8_t *wasm, size_t len, uint32_t *bytes);

#endif
