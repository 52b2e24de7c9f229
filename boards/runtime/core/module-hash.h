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
/* Hashes one prefix byte then `len` bytes of the store from `offset` (a spore chunk tree's leaf). */
const char *module_hash_store_prefixed(uint8_t prefix, uint32_t offset, uint32_t len, uint8_t out[32]);
/* Hashes bytes in memory (a test vector at start-up, the kernel's hal.hash). */
const char *module_hash_bytes(const uint8_t *bytes, uint32_t len, uint8_t out[32]);
/* Keeps one hasher open (its 64 KiB page and compiled code stay allocated) until
 * module_hash_release, so many small hashes do not each open one: a spore fetch holds it from
 * start to end. Without a held hasher every hash opens and frees its own. NULL or an error. */
const char *module_hash_hold(void);
void module_hash_release(void);
int module_hash_is_held(void);

#endif
