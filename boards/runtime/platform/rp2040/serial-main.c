/* rp2040 serial mode (`cell flash --board rp2040`): an image built without linked modules
 * (host/board/build-rp2040.ts, serial: true) runs the runtime on UART0 with the TIMER as its clock
 * and the ring oscillator as its entropy, answers the install protocol, and runs what its module
 * store (store.c) holds, each module hash-checked at start-up. Diagnostics go out on UART1 (GPIO4),
 * never onto the link. It polls: no sleep between the kernel's wakes (not done). */
#include "../../core/platform.h"
#include "../../core/runtime.h"
#include "../../core/module-hash.h"
#include "../../core/serial-framing.h"
#include "../../core/store-boot.h"
#include "../../core/bare-metal.h"
#include "chip.h"
#include <stdint.h>
#include <stdlib.h>

extern const uint32_t board_serial_stack;
extern const uint8_t as_sha256_wasm[];
extern const uint32_t as_sha256_wasm_len;
const uint8_t *rp2040_store_base(void);

static int rosc_stuck;
static uint32_t rng = 1;

double serial_now_ms(void) { return (double)chip_micros() / 1000.0; }

/* The ring oscillator's random bit, debiased (chip.c). Where it never changes (rp2040js models no
 * ROSC) the fallback is xorshift32 seeded from the TIMER when the first byte came, as on the QEMU
 * board, and the log says so once. */
uint32_t serial_random(void) {
  uint32_t v;
  if (!rosc_stuck && chip_rosc_random(&v) == 0) return v;
  rosc_stuck = 1;
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

void serial_log(int level, const char *text, size_t len) {
  char c = (char)('0' + (level & 7));
  chip_log_write(&c, 1);
  chip_log_write(" ", 1);
  chip_log_write(text, (uint32_t)len);
  chip_log_write("\n", 1);
}

static const uint8_t *map_in_place(int slot, uint32_t offset, uint32_t size) {
  (void)slot;
  (void)size;
  return rp2040_store_base() + offset;
}

void serial_main(void) {
  /* From the heap, not static: the script-mode image links this file too and keeps its RAM. */
  serial_deframer *d = malloc(sizeof *d);
  if (!d) { static const char oom[] = "no heap for the serial deframer"; serial_log(3, oom, sizeof oom - 1); for (;;) {} }
  module_hash_use(as_sha256_wasm, as_sha256_wasm_len);
  uint32_t node = serial_random();
  if (rosc_stuck) {
    static const char why[] = "ROSC random bit does not change (an emulator?): random numbers are xorshift32 seeded from the timer";
    serial_log(2, why, sizeof why - 1);
    rng = (uint32_t)chip_micros() * 2654435761u ^ 0x9e3779b9u;
    if (!rng) rng = 1;
    node = serial_random();
  }
  node |= 1;
  board_options opts = { .stack_bytes = board_serial_stack, .fuel_per_call = 10000000 };
  const char *ready = store_boot(node, &opts, serial_now_ms(), map_in_place) ? "ready: kernel running from the store" : "ready: no kernel; install frames only";
  serial_log(1, ready, __builtin_strlen(ready));
  serial_deframer_init(d);
  double wake = 0;
  for (;;) {
    int c = chip_uart_read_byte();
    if (c >= 0) {
      uint8_t b = (uint8_t)c;
      serial_deframer_push(d, &b, 1, bare_on_frame, 0);
      continue;
    }
    double now = serial_now_ms();
    if (store_kernel_running && now >= wake) {
      const char *err = board_k_tick(now, &wake);
      if (err) { serial_log(3, err, __builtin_strlen(err)); store_kernel_running = 0; }
    }
  }
}
