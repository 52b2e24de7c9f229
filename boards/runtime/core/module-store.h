/* The module store (issue #14, scope 3): a kernel and up to BOARD_MAX_CELLS cells kept in a
 * region of flash (QEMU: the top 1 MiB of the emulated 4 MiB; posix: a file, --store FILE).
 * Layout: a 4 KiB directory (one 64-byte entry per slot), then one fixed-size area per slot.
 * Slot 0 is the kernel, slots 1..BOARD_MAX_CELLS are cells. docs/boards.md has the layout. */
#ifndef CELL_BOARD_MODULE_STORE_H
#define CELL_BOARD_MODULE_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "runtime.h"

#define STORE_SLOTS (1 + BOARD_MAX_CELLS)
#define STORE_DIR_BYTES 4096u
#define STORE_ENTRY_BYTES 64u
#define STORE_ENTRY_MAGIC 0x31534D43u /* "CMS1" little-endian */

/* What a platform with a store gives (platform/posix/store.c, platform/qemu-mps2-an386/store.c). */
uint32_t platform_store_size(void);
/* 0 or -1 (out of range, I/O error). */
int platform_store_read(uint32_t offset, uint8_t *out, uint32_t len);
int platform_store_write(uint32_t offset, const uint8_t *bytes, uint32_t len);
/* A system reset; the store survives it. Does not return. */
void platform_reset(void);
/* Free heap bytes now, or -1 when the platform cannot tell (posix). */
int64_t platform_free_ram(void);

typedef struct {
  uint32_t species;
  uint32_t size;
  uint8_t sha256[32];
} store_entry;

/* Bytes one slot's area holds. */
uint32_t store_slot_bytes(void);
uint32_t store_slot_offset(int slot);
/* 1 and *e filled when the slot holds a committed module. */
int store_get(int slot, store_entry *e);
/* Marks the slot empty (before writing it again, or to erase it). 0 or -1. */
int store_clear(int slot);
/* Writes the committed entry. 0 or -1. */
int store_put(int slot, const store_entry *e);

#endif
