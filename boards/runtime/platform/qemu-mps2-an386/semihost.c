/* semihost.h: each call puts its number in r0 and its argument block's address in r1, and QEMU
 * answers in r0. "memory": the block is written before the call and the buffers read after it. */
#include "semihost.h"
#include <string.h>

static int32_t call(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return (int32_t)r0;
}

int32_t semihost_open(const char *path, uint32_t mode) {
  uint32_t a[3] = { (uint32_t)path, mode, (uint32_t)strlen(path) };
  return call(0x01, a);
}

int32_t semihost_read(int32_t handle, void *buf, uint32_t len) {
  uint32_t a[3] = { (uint32_t)handle, (uint32_t)buf, len };
  int32_t left = call(0x06, a); /* bytes not read */
  return left < 0 || (uint32_t)left > len ? -1 : (int32_t)(len - (uint32_t)left);
}

int32_t semihost_write(int32_t handle, const void *buf, uint32_t len) {
  uint32_t a[3] = { (uint32_t)handle, (uint32_t)buf, len };
  return call(0x05, a) == 0 ? 0 : -1; /* bytes not written */
}

int32_t semihost_seek(int32_t handle, uint32_t pos) {
  uint32_t a[2] = { (uint32_t)handle, pos };
  return call(0x0A, a) == 0 ? 0 : -1;
}

int32_t semihost_flen(int32_t handle) {
  uint32_t a[1] = { (uint32_t)handle };
  return call(0x0C, a);
}

int32_t semihost_errno(void) { return call(0x13, 0); }

int32_t semihost_cmdline(char *buf, uint32_t cap) {
  uint32_t a[2] = { (uint32_t)buf, cap };
  if (call(0x15, a) != 0) return -1;
  buf[a[1] < cap ? a[1] : cap - 1] = 0;
  return 0;
}

void semihost_write0(const char *text) { call(0x04, text); }

/* On 32-bit ARM, SYS_EXIT takes the reason itself in r1: ADP_Stopped_ApplicationExit (QEMU exits
 * 0) or ADP_Stopped_RunTimeErrorUnknown (QEMU exits 1). */
void semihost_exit(int ok) {
  call(0x18, (const void *)(ok ? 0x20026u : 0x20024u));
  for (;;) {}
}
