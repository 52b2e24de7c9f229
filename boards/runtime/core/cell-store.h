/* The cell store on a board (docs/abi.md "Store", docs/boards.md "Cell store"): the same keys,
 * limits, return codes and per-call staging as the host's (host/store/cell-store.ts), kept in a
 * region of the board's flash as an append-only log of committed records.
 *
 * Region: two banks of platform_cell_flash_size() / 2 bytes. The active bank is the one whose
 * 16-byte header (magic "CKV1", generation, crc32) is valid with the higher generation; after the
 * header come records, each the host's record (u32 bodyLength, u32 crc32(body), body) with the
 * body prefixed by the species: u32 species, u16 opCount, ops (u8 1 put, u16 keyLength, key,
 * u32 valueLength, value | u8 2 delete, u16 keyLength, key). Erased flash reads 0xFF.
 * Compaction copies each live key into the other bank (one record per key), then writes that
 * bank's header with the next generation: a reset half-way leaves the old bank active.
 *
 * RAM: one staging buffer of CELL_STORE_STAGE_BYTES for the running call's writes, a few counters
 * per cell slot; no per-key index (get and next scan the log). */
#ifndef CELL_BOARD_CELL_STORE_H
#define CELL_BOARD_CELL_STORE_H
#include <stddef.h>
#include <stdint.h>

#define CELL_STORE_MAX_KEY 64
#define CELL_STORE_MAX_VALUE 1024
#define CELL_STORE_MAX_KEYS 1024
/* The running call's staged record (8-byte head, species, op count, ops). A call whose writes do
 * not fit is refused earlier than on a host: store_put answers -3 (full), docs/boards.md. */
#ifndef CELL_STORE_STAGE_BYTES
#define CELL_STORE_STAGE_BYTES 2048
#endif
#define CELL_STORE_BANK_HEAD 16u
#define CELL_STORE_MAGIC 0x31564B43u /* "CKV1" little-endian */

/* What a platform gives for the store's region of flash (platform/<board>/cell-flash.c). */
/* Bytes in the region (two banks); 0: the board keeps no cell store (every put is refused). */
uint32_t platform_cell_flash_size(void);
/* 0 or -1. Offsets are within the region. */
int platform_cell_flash_read(uint32_t offset, uint8_t *out, uint32_t len);
int platform_cell_flash_write(uint32_t offset, const uint8_t *bytes, uint32_t len);
/* Sets [offset, offset+len) to 0xFF, as a flash erase does. 0 or -1. */
int platform_cell_flash_erase(uint32_t offset, uint32_t len);
/* Makes every write so far durable (a file: fdatasync). 0 or -1. */
int platform_cell_flash_sync(void);

/* The cell in `slot` is hosted as `species` (k_host): its store is the species' one. */
void cell_store_bind(int slot, uint32_t species);
/* A call of the cell in `slot` begins: staged writes of anything before are forgotten. */
void cell_store_begin(int slot);
/* The call ended in a REPLY: its writes become durable (written and synced) before the REPLY
 * leaves. NULL, or why not (the REPLY must then become an ERROR). */
const char *cell_store_commit(void);
/* The call ended in an ERROR (fail(), a trap, out of fuel, too large): its writes are dropped. */
void cell_store_drop(void);

/* The HAL imports, on the calling slot's species (docs/abi.md): key and out point into the cell's
 * memory, already checked by the caller. */
int32_t cell_store_get(int slot, const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_cap);
int32_t cell_store_put(int slot, const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len);
/* 1 if the key was there, 0 if not; -1: the call staged more than the board holds (a trap). */
int32_t cell_store_del(int slot, const uint8_t *key, uint32_t key_len);
int32_t cell_store_next(int slot, const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_cap);
/* The slot in a call, or -1 (a cell's start function). */
int cell_store_active_slot(void);

/* What the log holds now (tests, diagnostics). */
typedef struct {
  uint32_t bank, generation, end, bank_bytes, compactions, open_failures;
  uint32_t formats, tail_cuts, cut_at; /* since start-up: regions formatted, logs cut at a bad record (and where) */
} cell_store_info;
void cell_store_stat(cell_store_info *out);
/* Opens the store now (a serial-mode boot, store-boot.c) rather than at the first call, and puts
 * a line on what it found in `note`: a log level, 1 (as expected) or 2 (data was dropped: a
 * corrupt or torn log cut off, or the flash refused). */
int cell_store_open(char *note, size_t cap);

/* crc32 (IEEE, zlib's): the records' checksum. */
uint32_t cell_store_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
