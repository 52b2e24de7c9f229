/* Start-up from the module store and the serial link's frame dispatch, shared by the platforms
 * that have a store (posix --store, QEMU serial mode). */
#ifndef CELL_BOARD_STORE_BOOT_H
#define CELL_BOARD_STORE_BOOT_H
#include <stddef.h>
#include <stdint.h>
#include "runtime.h"

/* The bytes of a stored module, in place (QEMU: memory-mapped flash) or copied (posix); NULL: none. */
typedef const uint8_t *(*store_map_fn)(int slot, uint32_t offset, uint32_t size);

/* Loads the kernel of slot 0 and the cells of slots 1.., each only when its SHA-256 matches the
 * one committed, and runs k_init. 1: the kernel runs; 0: it does not (the reason is logged) and
 * the board answers install frames only. */
int store_boot(uint32_t node, const board_options *opts, double now, store_map_fn map);

/* The bytes of a stored module through the map store_boot was given (a module committed later). */
const uint8_t *store_map_module(int slot, uint32_t offset, uint32_t size);

extern int store_kernel_running;
/* Frames from the link that came while no kernel ran (counted, dropped). */
extern uint32_t store_frames_without_kernel;

/* serial_frame_fn for the serial deframer: an install frame goes to the install protocol, a
 * mesh frame to the kernel. NULL or the kernel's error. */
const char *store_on_frame(const uint8_t *frame, size_t len);

#endif
