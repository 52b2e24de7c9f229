/* The QEMU board's cell-store region (core/cell-store.h): 256 KiB of the emulated flash just below
 * the module store (0x002C0000..0x00300000; link.ld.in keeps the image out of it). QEMU's flash
 * is RAM the CPU writes directly; it survives a reset within one QEMU process, and with a store
 * file (flash-file.h) a new process too: each write and erase goes through to the file before it
 * returns. It starts as zeros, which the store formats on first use. Writes only clear bits, as
 * NOR flash programming does. */
#include "../../core/cell-store.h"
#include "flash-file.h"
#include <string.h>

#define CELL_FLASH_BASE ((uint8_t *)0x002C0000u)
#define CELL_FLASH_BYTES (256u * 1024u)

uint32_t platform_cell_flash_size(void) { return CELL_FLASH_BYTES; }

static int inside(uint32_t offset, uint32_t len) { return (uint64_t)offset + len <= CELL_FLASH_BYTES; }

int platform_cell_flash_read(uint32_t offset, uint8_t *out, uint32_t len) {
  if (!inside(offset, len)) return -1;
  memcpy(out, CELL_FLASH_BASE + offset, len);
  return 0;
}

int platform_cell_flash_write(uint32_t offset, const uint8_t *bytes, uint32_t len) {
  if (!inside(offset, len)) return -1;
  for (uint32_t i = 0; i < len; i++) CELL_FLASH_BASE[offset + i] &= bytes[i];
  return flash_file_write(FLASH_FILE_CELLS + offset, CELL_FLASH_BASE + offset, len);
}

int platform_cell_flash_erase(uint32_t offset, uint32_t len) {
  if (!inside(offset, len)) return -1;
  memset(CELL_FLASH_BASE + offset, 0xff, len);
  return flash_file_write(FLASH_FILE_CELLS + offset, CELL_FLASH_BASE + offset, len);
}

/* Writes to this flash are done when the store returns; a store file's are in the host's page
 * cache (semihosting has no fsync): they outlive QEMU, not the host's own crash. */
int platform_cell_flash_sync(void) {
  __asm__ volatile("dsb" ::: "memory");
  return 0;
}
