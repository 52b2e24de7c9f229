/* entropy.h. A pool of 64 bytes costs one semihosting call per 16 values. */
#include "entropy.h"
#include "semihost.h"
#include <stdio.h>

static int32_t handle = -1;
static uint8_t pool[64];
static uint32_t left;

int entropy_open(const char *path, char *why, size_t cap) {
  handle = semihost_open(path, SEMIHOST_READ);
  if (handle >= 0) return 0;
  snprintf(why, cap, "cannot open the entropy source %.100s (host errno %ld)", path, (long)semihost_errno());
  return -1;
}

int entropy_next(uint32_t *out) {
  if (handle < 0) return 0;
  if (left < 4) {
    if (semihost_read(handle, pool, sizeof pool) != (int32_t)sizeof pool) { handle = -1; return 0; }
    left = sizeof pool;
  }
  const uint8_t *p = pool + sizeof pool - left;
  *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  left -= 4;
  return 1;
}
