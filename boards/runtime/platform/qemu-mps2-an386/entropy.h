/* hal.random on the QEMU board in serial mode: bytes from a host file through semihosting
 * (/dev/urandom unless the command line names another: entropy=PATH), read 64 at a time. The
 * mps2 has no TRNG; QEMU's host is the board's entropy source. */
#ifndef CELL_QEMU_ENTROPY_H
#define CELL_QEMU_ENTROPY_H
#include <stddef.h>
#include <stdint.h>

/* Opens the source. 0, or -1 and why not in `why`. */
int entropy_open(const char *path, char *why, size_t cap);
/* 1 and *out: the next 32 bits from the host; 0: the source is not open or gave out (it is then
 * closed for good: the caller falls back, docs/boards.md). */
int entropy_next(uint32_t *out);

#endif
