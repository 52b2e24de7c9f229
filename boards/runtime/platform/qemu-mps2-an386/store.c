/* The QEMU board's module store: the top 1 MiB of the emulated 4 MiB flash (0x00300000). QEMU's
 * mps2 "flash" is RAM the CPU may write, and a system reset reloads only the image's own bytes,
 * so the store survives a reset within one QEMU process; with a store file (flash-file.h) every
 * write also goes to the host's file, so it survives a new process. */
#include "../../core/module-store.h"
#include "flash-file.h"
#include <string.h>

#define STORE_BASE ((uint8_t *)0x00300000u)
#define STORE_BYTES (1024u * 1024u)
#define AIRCR (*(volatile uint32_t *)0xE000ED0Cu)


uint32_t platform_store_size(void) { return STORE_BYTES; }

int platform_store_read(uint32_t offset, uint8_t *out, uint32_t len) {
  if ((uint64_t)offset + len > STORE_BYTES) return -1;
  memcpy(out, STORE_BASE + offset, len);
  return 0;
}

int platform_store_write(uint32_t offset, const uint8_t *bytes, uint32_t len) {
  if ((uint64_t)offset + len > STORE_BYTES) return -1;
  memcpy(STORE_BASE + offset, bytes, len);
  return flash_file_write(FLASH_FILE_MODULES + offset, STORE_BASE + offset, len);
}

void platform_reset(void) {
  __asm__ volatile("dsb" ::: "memory");
  AIRCR = 0x05FA0004u; /* SYSRESETREQ */
  for (;;) {}
}
