/* hal.random on the QEMU board in serial mode: bytes from a host file through semihosting
 * (/dev/urandom unless the command line names another: entropy=PATH), read 64 at a time. The
 * mps2 has no TRNG; QEMU's host is the board's entropy source. */
#ifndef CELL_QEMU_ENTROPY_H
#define CELL_QEMU_ENTROPY_H
#include <stdint.h>

/* Opens the source. NULL, or why not. */
const char *entropy_open(const char *path);
/* 1 and *out: the next 32 bits from the host; 0: the source is not open or gave out (it is then
 * closed for good: the caller falls back, docs/boards.md). */
int entropy_next(uint32_t *out);

#endif
