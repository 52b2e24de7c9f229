/* The rp2040 port has no cell-store region yet (docs/boards.md, rp2040, Not done): a Pico's 2 MiB
 * of flash hold the image and the module store, and writing flash needs the bootrom's routines
 * (store.c), which rp2040js does not have, so nothing here could be tested. A region of 0 bytes
 * makes the store refuse to open: store_get finds nothing and store_put answers -3 (full), as a
 * full flash would. */
#include "../../core/cell-store.h"

uint32_t platform_cell_flash_size(void) { return 0; }
int platform_cell_flash_read(uint32_t offset, uint8_t *out, uint32_t len) { (void)offset; (void)out; (void)len; return -1; }
int platform_cell_flash_write(uint32_t offset, const uint8_t *bytes, uint32_t len) { (void)offset; (void)bytes; (void)len; return -1; }
int platform_cell_flash_erase(uint32_t offset, uint32_t len) { (void)offset; (void)len; return -1; }
int platform_cell_flash_sync(void) { return -1; }
