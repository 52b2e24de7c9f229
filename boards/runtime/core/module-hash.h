/* SHA-256 of a stored module on the board, before it is committed and before it runs. The hash
 * function is not written here: it is @chainsafe/as-sha256 (a pinned npm package, its
 * build/optimized.wasm), run under wasm3 in its own environment with its linear memory capped to
 * MODULE_HASH_MEMORY bytes. The platform's build embeds the package's bytes (posix:
 * host/board/build-runtime.ts generates them into build/). */
#ifndef CELL_BOARD_MODULE_HASH_H
#define CELL_BOARD_MODULE_HASH_H
#include <stddef.h>
#include <stdint.h>

#define MODULE_HASH_MEMORY 65536u

/* Gives the hasher's wasm bytes (they must outlive the board). */
void module_hash_use(const uint8_t *wasm, size_t len);
/* Hashes `len` bytes of the store from `offset`. NULL or an error text. */
const char *module_hash_store(uint32_t offset, uint32_t len, uint8_t out[32]);
/* Hashes bytes in memory (a test vector at start-up). */
const char *module_hash_bytes(const uint8_t *bytes, uint32_t len, uint8_t out[32]);

#endif
