/* The conformance protocol on the board's serial link (docs/boards.md, Conformance): the test
 * drives the clock, frames, calls and ticks as text lines, and every effect comes back as a line,
 * so the same session runs on V8 (host/board/board-script.ts) and on every platform. */
#ifndef CELL_BOARD_SCRIPT_MODE_H
#define CELL_BOARD_SCRIPT_MODE_H
#include <stdint.h>

/* The scripted clock and random source a platform returns while script mode runs. */
double script_now(void);
uint32_t script_random(void);
/* Seeds random and turns the runtime's effects into lines; call before loading modules. */
void script_begin(uint32_t seed);
/* Prints "ready", then runs lines until "quit" or the end of the line; returns the exit status. */
int script_run(void);
/* Peak memory in bytes for the `mem` command; a platform without a figure returns -1. */
long platform_peak_bytes(void);
/* The C stack's high-water mark in bytes for the `cstack` command (a painted stack); -1: none. */
long platform_cstack_bytes(void);
/* The `count` and `spin` commands (bench/board-instructions.ts): a free-running counter of the
 * platform's core clock, wrapping at 2^24 (QEMU: SysTick; under `-icount shift=0` QEMU advances it
 * by instruction count), and a loop of exactly 2n instructions to calibrate it against. A platform
 * without either returns -1 / does nothing. */
long platform_ticks(void);
void platform_spin(uint32_t n);

#endif
