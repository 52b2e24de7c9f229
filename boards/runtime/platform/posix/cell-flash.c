/* The posix board's cell-store region (core/cell-store.h): with --store FILE, the 256 KiB after
 * the 1 MiB module store in that file (made durable with fdatasync before a REPLY leaves);
 * without, a region in memory that lives as long as the process (as a host's in-memory store).
 * A new file or region reads as zeros: the store formats it on first use. Writes behave as NOR
 * flash programming does (they only clear bits: the new byte is old AND written), so a store
 * that wrote twice to a place without erasing it would read back wrong here, as on a board. */
#define _GNU_SOURCE
#include "../../core/cell-store.h"
#include <string.h>
#include <unistd.h>

#define CELL_FLASH_OFFSET (1024u * 1024u)
#define CELL_FLASH_BYTES (256u * 1024u)

int posix_store_fd(void);
static uint8_t ram[CELL_FLASH_BYTES];

uint32_t platform_cell_flash_size(void) { return CELL_FLASH_BYTES; }

static int inside(uint32_t offset, uint32_t len) { return (uint64_t)offset + len <= CELL_FLASH_BYTES; }

int platform_cell_flash_read(uint32_t offset, uint8_t *out, uint32_t len) {
  int fd = posix_store_fd();
  if (!inside(offset, len)) return -1;
  if (fd < 0) { memcpy(out, ram + offset, len); return 0; }
  return pread(fd, out, len, CELL_FLASH_OFFSET + offset) == (ssize_t)len ? 0 : -1;
}

int platform_cell_flash_write(uint32_t offset, const uint8_t *bytes, uint32_t len) {
  uint8_t old[256];
  int fd = posix_store_fd();
  if (!inside(offset, len)) return -1;
  if (fd < 0) {
    for (uint32_t i = 0; i < len; i++) ram[offset + i] &= bytes[i];
    return 0;
  }
  for (uint32_t at = 0; at < len; at += sizeof old) {
    uint32_t n = len - at < sizeof old ? len - at : (uint32_t)sizeof old;
    if (pread(fd, old, n, CELL_FLASH_OFFSET + offset + at) != (ssize_t)n) return -1;
    for (uint32_t i = 0; i < n; i++) old[i] &= bytes[at + i];
    if (pwrite(fd, old, n, CELL_FLASH_OFFSET + offset + at) != (ssize_t)n) return -1;
  }
  return 0;
}

int platform_cell_flash_erase(uint32_t offset, uint32_t len) {
  static uint8_t ones[4096];
  int fd = posix_store_fd();
  if (!inside(offset, len)) return -1;
  if (fd < 0) { memset(ram + offset, 0xff, len); return 0; }
  memset(ones, 0xff, sizeof ones);
  for (uint32_t at = 0; at < len; at += sizeof ones) {
    uint32_t n = len - at < sizeof ones ? len - at : (uint32_t)sizeof ones;
    if (pwrite(fd, ones, n, CELL_FLASH_OFFSET + offset + at) != (ssize_t)n) return -1;
  }
  return 0;
}

int platform_cell_flash_sync(void) {
  int fd = posix_store_fd();
  return fd < 0 || fdatasync(fd) == 0 ? 0 : -1;
}
