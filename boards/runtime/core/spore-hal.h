/* Spores on a board (issue #14: installing a cell is a spore transfer over the serial link). The
 * board's own kernel fetches a module chunk by chunk (every decision is the kernel's,
 * firmware/kernel/spore-fetch.ts); this file is the board's side of the HAL imports it uses:
 *   hal.hash       SHA-256 by @chainsafe/as-sha256 under wasm3 (module-hash.c)
 *   hal.spore_put  each verified chunk written into a free store slot (flash), never into RAM
 *   hal.spore_done the whole module's SHA-256 checked, its chunk tree written beside it, the slot
 *                  committed and the cell hosted; on failure nothing is committed
 *   hal.spore_get  a stored module's chunk and proof from the tree kept in flash (a board is a mirror)
 * The fetch is started by the install protocol's FETCH (install-protocol.c) from the host on the
 * cable, which names the module and itself as the holder; FETCH_STATUS reports how it went.
 * docs/boards.md, "Spores over the serial link". */
#ifndef CELL_BOARD_SPORE_HAL_H
#define CELL_BOARD_SPORE_HAL_H
#include <stddef.h>
#include <stdint.h>

/* docs/protocol.toml: SPORE_CHUNK_BYTES, FETCH_OK, and the k_stat ids sporeChunksRx, sporeBadChunks. */
#define SPORE_CHUNK 1024u
#define SPORE_FETCH_OK 0
#define SPORE_STAT_CHUNKS_RX 47
#define SPORE_STAT_BAD_CHUNKS 48
/* k_config key sporeWindow (docs/protocol.toml), and the board's value: chunk requests in flight. */
#define SPORE_CONFIG_WINDOW 17
#define SPORE_BOARD_WINDOW 2
/* Chunks one fetch may have: the bitmap of chunks held is this / 8 bytes of RAM. */
#define SPORE_BOARD_MAX_CHUNKS 1024u

/* What FETCH_STATUS reports. */
enum { SPORE_IDLE = 0, SPORE_RUNNING = 1, SPORE_DONE = 2, SPORE_FAILED = 3 };
enum {
  SPORE_WHY_NONE = 0, SPORE_WHY_NO_HOLDER = 1, SPORE_WHY_HASH_MISMATCH = 2, SPORE_WHY_STORE_ERROR = 3,
  SPORE_WHY_HASH_ERROR = 4, SPORE_WHY_CELL_LOAD = 5, SPORE_WHY_KERNEL_HOST = 6,
};

typedef struct {
  uint8_t state, why, slot;
  uint32_t held, total;
  uint8_t sha256[32]; /* the board's SHA-256 of the stored module once committed; zeros before */
} spore_fetch_status;

/* FETCH: starts the kernel's fetch of the `size`-byte module with this hash and chunk root into
 * a free cell slot, `holder` hinted as holding it. Chunks held from an earlier fetch of the same
 * module that failed are not asked again (*resumed of them). Returns an install status
 * (install-protocol.h) and the slot. */
int spore_fetch_begin(uint32_t species, uint32_t size, const uint8_t hash[32], const uint8_t root[32], uint32_t holder, uint8_t *slot, uint32_t *resumed);
void spore_fetch_report(spore_fetch_status *s);

/* The HAL imports (runtime.c checks the pointers). */
const char *spore_hal_hash(const uint8_t *data, uint32_t len, uint8_t out[32]);
void spore_hal_put(int32_t handle, int32_t index, const uint8_t *chunk, uint32_t len);
void spore_hal_done(int32_t handle, int32_t status);
int32_t spore_hal_get(const uint8_t hash[32], int32_t index, uint8_t *out, uint32_t cap);

/* The install protocol's BEGIN and ERASE: a slot a fetch is writing is refused; a slot holding
 * the chunks of a fetch that was cut off loses them (they are about to be overwritten). */
int spore_slot_busy(int slot);
void spore_forget_slot(int slot);

/* After a kernel call returned: commits and hosts a fetch that ended well (hosting calls k_host,
 * which must not run inside the kernel's own call of hal.spore_done). */
void spore_hal_poll(void);

/* Writes the chunk tree of a committed cell slot beside its module, so the board can serve it;
 * 0 or -1 (no room in the slot, a store or hash error). */
int spore_tree_build(int slot);

#endif
