/* The posix board's module store: a file stands for the flash (--store FILE, STORE_FILE_BYTES,
 * created zeroed). platform_reset re-executes the process with its own arguments, as a board
 * reboots from its flash. */
#define _GNU_SOURCE
#include "../../core/module-store.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORE_FILE_BYTES (1024u * 1024u)
/* The file goes on past the module store with the cell store's region (cell-flash.c). */
#define CELL_FLASH_FILE_BYTES (256u * 1024u)

static int store_fd = -1;
char **posix_argv;

int posix_store_open(const char *path) {
  store_fd = open(path, O_RDWR | O_CREAT, 0644);
  if (store_fd < 0) return -1;
  off_t end = lseek(store_fd, 0, SEEK_END);
  if (end < (off_t)(STORE_FILE_BYTES + CELL_FLASH_FILE_BYTES) && ftruncate(store_fd, STORE_FILE_BYTES + CELL_FLASH_FILE_BYTES)) return -1;
  return 0;
}

/* cell-flash.c: the store file, or -1 (no --store: the cell store lives in memory). */
int posix_store_fd(void) { return store_fd; }

uint32_t platform_store_size(void) { return store_fd < 0 ? 0 : STORE_FILE_BYTES; }

int platform_store_read(uint32_t offset, uint8_t *out, uint32_t len) {
  if (store_fd < 0 || (uint64_t)offset + len > STORE_FILE_BYTES) return -1;
  return pread(store_fd, out, len, offset) == (ssize_t)len ? 0 : -1;
}

int platform_store_write(uint32_t offset, const uint8_t *bytes, uint32_t len) {
  if (store_fd < 0 || (uint64_t)offset + len > STORE_FILE_BYTES) return -1;
  return pwrite(store_fd, bytes, len, offset) == (ssize_t)len ? 0 : -1;
}

void platform_reset(void) {
  fsync(store_fd);
  fprintf(stderr, "cell-board: reboot\n");
  execv("/proc/self/exe", posix_argv);
  perror("cell-board: reboot");
  exit(1);
}

int64_t platform_free_ram(void) { return -1; }
