/* flash-file.h. Every byte read from the file is untrusted: what the regions then hold is checked
 * as on any boot (the module store's SHA-256 per slot, the cell store's header and record CRCs). */
#include "flash-file.h"
#include "semihost.h"
#include <stdio.h>
#include <string.h>

#define MODULES_BASE ((uint8_t *)0x00300000u)
#define CELLS_BASE ((uint8_t *)0x002C0000u)

static int32_t handle = -1;

/* Reads up to `len` bytes at `pos` into `to`; what the file does not have is zeros. The bytes read. */
static uint32_t load(uint32_t pos, uint8_t *to, uint32_t len, uint32_t file_len) {
  uint32_t want = file_len > pos ? file_len - pos : 0;
  if (want > len) want = len;
  memset(to, 0, len);
  if (!want || semihost_seek(handle, pos)) return 0;
  int32_t got = semihost_read(handle, to, want);
  if (got < 0) got = 0;
  memset(to + got, 0, len - (uint32_t)got); /* a read cut short (the file shrank meanwhile) */
  return (uint32_t)got;
}

int flash_file_open(const char *path, char *note, size_t cap) {
  handle = semihost_open(path, SEMIHOST_READ_WRITE);
  if (handle < 0) {
    snprintf(note, cap, "cannot open the store file %.100s (host errno %ld)", path, (long)semihost_errno());
    return -1;
  }
  int32_t n = semihost_flen(handle);
  if (n < 0) {
    snprintf(note, cap, "cannot read the length of the store file %.100s", path);
    handle = -1;
    return -1;
  }
  uint32_t len = (uint32_t)n;
  uint32_t m = load(FLASH_FILE_MODULES, MODULES_BASE, FLASH_FILE_CELLS, len);
  uint32_t c = load(FLASH_FILE_CELLS, CELLS_BASE, FLASH_FILE_BYTES - FLASH_FILE_CELLS, len);
  unsigned long got = m + c, want = FLASH_FILE_BYTES;
  if (got == want && len == want) snprintf(note, cap, "store file %.100s: %lu bytes loaded", path, got);
  else if (got == want) snprintf(note, cap, "store file %.100s: %lu bytes, %lu expected: the bytes past %lu are ignored", path, (unsigned long)len, want, want);
  else snprintf(note, cap, "store file %.100s: %lu bytes, %lu expected: %lu loaded, the rest reads as zeros", path, (unsigned long)len, want, got);
  return 0;
}

int flash_file_write(uint32_t file_offset, const uint8_t *mem, uint32_t len) {
  if (handle < 0) return 0;
  if ((uint64_t)file_offset + len > FLASH_FILE_BYTES) return -1;
  return semihost_seek(handle, file_offset) || semihost_write(handle, mem, len) ? -1 : 0;
}
