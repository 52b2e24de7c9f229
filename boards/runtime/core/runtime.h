/* The board runtime shared by every platform: the mcu kernel and its cells on wasm3, and every
 * HAL import of docs/abi.md. A platform layer gives it bytes, time and entropy (platform.h). */
#ifndef CELL_BOARD_RUNTIME_H
#define CELL_BOARD_RUNTIME_H
#include <stddef.h>
#include <stdint.h>

/* Cell slots a board hosts; the mcu kernel's own table is the other bound. */
#define BOARD_MAX_CELLS 4

typedef struct {
  /* wasm3 stack per runtime (kernel, each cell). */
  uint32_t stack_bytes;
  /* Instructions one cell call may run, as CellNode's fuelPerCall. */
  int32_t fuel_per_call;
} board_options;

/* Observers a platform may set (the conformance mode prints them; a real board leaves them NULL). */
typedef struct {
  void (*fuel)(int slot, int32_t used);
  void (*deliver)(int kind, int seq, uint32_t src, const uint8_t *payload, size_t len);
  /* A kernel frame to transmit; NULL: framed onto the serial link. */
  void (*send)(const uint8_t *frame, size_t len);
  /* hal.log of the kernel and the cells; NULL: platform_log. */
  void (*log)(int level, const char *text, size_t len);
} board_observers;

extern board_observers board_observe;

/* Loads the kernel; the bytes must outlive the runtime (wasm3 reads them in place). NULL or an error. */
const char *board_start(const uint8_t *kernel, size_t len, const board_options *opts);
/* Loads a cell into the next slot; returns the slot (>= 0) or -1 with *err set. */
int board_add_cell(const uint8_t *wasm, size_t len, const char **err);
/* Kernel exports (docs/abi.md). Each returns NULL or an error text (a kernel trap). */
const char *board_k_init(uint32_t node, double now);
const char *board_k_i32(const char *name, int nargs, int32_t a, int32_t b, int32_t c, int32_t *result);
const char *board_k_config(int32_t key, double value, int32_t *result);
/* k_host(slot, species), and the slot's cell store bound to the species' (cell-store.h). */
const char *board_host(int32_t slot, uint32_t species, int32_t *result);
const char *board_k_tick(double now, double *wake);
/* The kernel's frame buffer, for a frame or a call payload the platform writes. */
uint8_t *board_k_buf(uint32_t *cap);
/* A frame from the serial link, handed to k_on_frame. */
const char *board_on_frame(const uint8_t *frame, size_t len, int32_t *result);

/* Counters of the runtime itself. */
typedef struct {
  uint32_t cell_calls, cell_traps, out_of_fuel, out_of_memory, reinstantiations;
} board_stats;
extern board_stats board_counters;

#endif
