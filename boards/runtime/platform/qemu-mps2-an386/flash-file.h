/* The file on the host behind the QEMU board's writable flash (docs/boards.md, "A store file
 * that outlives QEMU"). QEMU models the mps2's flash as RAM with no backing file, so the board
 * keeps one itself through semihosting: at start-up the file is read into the two regions, and
 * every write to them (module store, cell store) is written through to the file before the write
 * returns. The file's layout is the posix board's --store file: the 1 MiB module store
 * (0x00300000) at offset 0, then the 256 KiB cell store (0x002C0000) at 1 MiB. Without a file the
 * regions are RAM only, as they always were. */
#ifndef CELL_QEMU_FLASH_FILE_H
#define CELL_QEMU_FLASH_FILE_H
#include <stddef.h>
#include <stdint.h>

#define FLASH_FILE_MODULES 0u             /* the module store's bytes in the file */
#define FLASH_FILE_CELLS (1024u * 1024u)  /* the cell store's */
#define FLASH_FILE_BYTES (FLASH_FILE_CELLS + 256u * 1024u)

/* Opens the host file `path` (read and write) and loads both regions from it: a short file's
 * missing bytes read as zeros (as a new posix store file, or QEMU's fresh RAM); bytes past
 * FLASH_FILE_BYTES are ignored. 0 and a line on what was loaded in `note`, or -1 and why not in
 * `note` (the regions are then left as they were). */
int flash_file_open(const char *path, char *note, size_t cap);
/* Writes `len` bytes of a region's memory (now holding what was written) to the file at
 * `file_offset`. 0 (also when no file is open), or -1. */
int flash_file_write(uint32_t file_offset, const uint8_t *mem, uint32_t len);

#endif
