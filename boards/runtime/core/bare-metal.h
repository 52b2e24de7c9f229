/* What the bare-metal boards (qemu-mps2-an386, rp2040) share below the runtime (bare-metal.c):
 * newlib's heap between the linker script's _heap_start and _heap_end, with its high-water mark;
 * the C stack [_heap_end, _stack_top) painted at reset, how deep it went, and the floor wasm calls
 * may not pass; the boot line's numbers. Built only with -DBOARD_BARE_METAL (the posix board uses
 * its C library). */
#ifndef CELL_BARE_METAL_H
#define CELL_BARE_METAL_H
#include <stddef.h>
#include <stdint.h>

#define BARE_STACK_PAINT 0xc5c5c5c5u

/* What Reset_Handler does before main: paints the C stack below its frame (inlined, so the frame
 * is Reset_Handler's; volatile, so not a memset the compiler may fold away), copies .data from
 * flash and zeroes .bss (the linker script's symbols). */
static inline __attribute__((always_inline)) void bare_reset(void) {
  extern uint32_t _heap_end, _data_load, _data_start, _data_end, _bss_start, _bss_end;
  for (volatile uint32_t *q = &_heap_end; q < (uint32_t *)__builtin_frame_address(0) - 16;) *q++ = BARE_STACK_PAINT;
  uint32_t *src = &_data_load;
  for (uint32_t *dst = &_data_start; dst < &_data_end;) *dst++ = *src++;
  for (uint32_t *dst = &_bss_start; dst < &_bss_end;) *dst++ = 0;
}

/* The next decimal number of a boot line ("boot SEED FUEL STACK"), after any spaces. */
uint32_t bare_boot_field(const char **p);

/* Serial mode: the deframer's callback (core/serial-framing.h) into the store's frame dispatch. */
void bare_on_frame(void *ctx, const uint8_t *frame, size_t len);

/* Script mode (core/script-mode.c) on a board whose kernel and cells are linked into its image:
 * reads the boot line from the serial link, starts them and runs the script. NULL with
 * script_run()'s result in *result, or the error of the part (`what`) that would not start. */
const char *bare_script_main(const char **what, int *result);

#endif
