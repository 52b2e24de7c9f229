/* The heap and C stack of the bare-metal boards (bare-metal.h). */
#include "bare-metal.h"
#ifdef BOARD_BARE_METAL
#include "platform.h"
#include "module-store.h"
#include "script-mode.h"
#include "runtime.h"
#include "module-hash.h"
#include "store-boot.h"
#include <errno.h>
#include <stddef.h>

extern uint32_t _heap_start, _heap_end, _stack_top;

/* The heap's high-water mark: what wasm3 took (the `mem` figure). */
static uint8_t *heap_top = (uint8_t *)&_heap_start;
long platform_peak_bytes(void) { return (long)(heap_top - (uint8_t *)&_heap_start); }

/* Heap bytes never reached by the high-water mark. */
int64_t platform_free_ram(void) {
  return (int64_t)((uint8_t *)&_heap_end - (uint8_t *)&_heap_start) - platform_peak_bytes();
}

/* newlib's malloc grows the heap here, never past the stack's reserve below the RAM cap. */
void *_sbrk(ptrdiff_t incr) {
  uint8_t *prev = heap_top;
  if (heap_top + incr > (uint8_t *)&_heap_end) {
    errno = ENOMEM;
    return (void *)-1;
  }
  heap_top += incr;
  return prev;
}

/* How far down the reset's paint was overwritten: the `cstack` figure (test/board-qemu.test.ts). */
long platform_cstack_bytes(void) {
  const uint32_t *p = &_heap_end;
  while (p < &_stack_top && *p == BARE_STACK_PAINT) p++;
  return (long)((const uint8_t *)&_stack_top - (const uint8_t *)p);
}

/* wasm calls trap below this: what is left under it is for the native work after the last check
 * (an import such as hal.cell_call formatting an error, op_Entry's frame). */
#define BOARD_STACK_GUARD 1536
void *platform_native_stack_limit(void) { return (uint8_t *)&_heap_end + BOARD_STACK_GUARD; }

/* Exactly 2n instructions (subs, bne per turn; n >= 1; Thumb, so M0+ and M4 alike): calibrates ticks against instructions. */
void platform_spin(uint32_t n) {
  if (!n) return;
  __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
}

/* Set by the image's modules.s: 1 in an image built without modules (serial mode, `cell flash`). */
extern const uint32_t board_serial_mode;
/* The platform's serial-mode log (its serial-main.c): not the serial link, which carries frames. */
void serial_log(int level, const char *text, size_t len);

/* Serial mode logs beside the link; script mode writes "# text" lines into the script's output. */
void platform_log(int level, const char *text, size_t len) {
  if (board_serial_mode) { serial_log(level, text, len); return; }
  platform_serial_write((const uint8_t *)"# ", 2);
  platform_serial_write((const uint8_t *)text, len);
  platform_serial_write((const uint8_t *)"\n", 1);
}

/* Serial mode: each deframed frame to the store's dispatch; a kernel that fails stops running
 * (logged; install frames still work). */
void bare_on_frame(void *ctx, const uint8_t *frame, size_t len) {
  (void)ctx;
  const char *err = store_on_frame(frame, len);
  if (err) { platform_log(3, err, __builtin_strlen(err)); store_kernel_running = 0; }
}

uint32_t bare_boot_field(const char **p) {
  uint32_t v = 0;
  while (**p == ' ') (*p)++;
  while (**p >= '0' && **p <= '9') v = v * 10 + (uint32_t)(*(*p)++ - '0');
  return v;
}

/* Linked into a script image by its modules.s (host/board/build-qemu.ts, build-rp2040.ts). */
extern const uint8_t board_kernel[], board_kernel_end[];
extern const uint32_t board_cells[];
extern const uint32_t board_cell_count;
extern const uint8_t as_sha256_wasm[];
extern const uint32_t as_sha256_wasm_len;

const char *bare_script_main(const char **what, int *result) {
  char line[64];
  size_t n = 0;
  if (as_sha256_wasm_len) module_hash_use(as_sha256_wasm, as_sha256_wasm_len); /* script images built with `hasher` */
  for (;;) {
    uint8_t c;
    platform_serial_read(&c, 1);
    if (c == '\n') break;
    if (n + 1 < sizeof line) line[n++] = (char)c;
  }
  line[n] = 0;
  const char *p = line + 4; /* "boot" */
  uint32_t seed = bare_boot_field(&p);
  board_options opts;
  opts.fuel_per_call = (int32_t)bare_boot_field(&p); /* in order: initialiser lists do not sequence */
  opts.stack_bytes = bare_boot_field(&p);
  script_begin(seed);
  const char *err = board_start(board_kernel, (size_t)(board_kernel_end - board_kernel), &opts);
  *what = "kernel";
  if (err) return err;
  *what = "cell";
  for (uint32_t i = 0; i < board_cell_count; i++) {
    if (board_add_cell((const uint8_t *)board_cells[2 * i], board_cells[2 * i + 1] - board_cells[2 * i], &err) < 0) return err;
  }
  *result = script_run();
  return NULL;
}
#else
typedef int bare_metal_unused; /* ISO C: a translation unit is not empty */
#endif
