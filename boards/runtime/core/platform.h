/* What the shared runtime needs from a target: one platform layer per board implements this
 * (platform/posix, platform/qemu-mps2-an386 ...). The runtime above it is the same everywhere. */
#ifndef CELL_BOARD_PLATFORM_H
#define CELL_BOARD_PLATFORM_H
#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds since an arbitrary start (hal.now). */
double platform_now_ms(void);
/* 32 bits from the board's entropy source (hal.random). */
uint32_t platform_random(void);
/* Writes bytes to the serial link; blocks until they are queued. */
void platform_serial_write(const uint8_t *bytes, size_t len);
/* Reads up to `cap` bytes from the serial link, blocking until at least one came; 0 or less: the
 * line closed. */
int platform_serial_read(uint8_t *buf, size_t cap);
/* A line of diagnostics (hal.log, panics); level as in docs/abi.md. Not the serial link. */
void platform_log(int level, const char *text, size_t len);
/* The lowest C-stack address wasm code may call down to: every wasm3 runtime traps a call
 * ("stack overflow") past it instead of running into the heap. NULL: wasm3's own budget
 * (d_m3MaxNativeStack below the first call's stack pointer), for a platform with a large stack. */
void *platform_native_stack_limit(void);

#endif
