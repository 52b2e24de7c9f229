/* QEMU serial mode (`cell flash --board qemu-mps2-an386`): an image built without modules
 * (host/board/build-qemu.ts, serial: true) runs the runtime on UART0 with the CMSDK timer as its
 * clock, takes modules over the install protocol into its store (store.c) and runs what the store
 * holds. Diagnostics go to semihosting (QEMU's stderr), not onto the serial link.
 * Not true entropy: the mps2 has no TRNG; random numbers are xorshift32 seeded from the timer's
 * count when the first byte arrives from the host (docs/boards.md). Idle: WFI until UART0 has a
 * byte (its RX interrupt) or TIMER1 fires at the kernel's next wake (at most IDLE_MAX_MS: a byte
 * that lands between the check and the WFI waits that long at worst). */
#include "../../core/platform.h"
#include "../../core/runtime.h"
#include "../../core/module-hash.h"
#include "../../core/serial-framing.h"
#include "../../core/store-boot.h"
#include "../../core/bare-metal.h"
#include "entropy.h"
#include "flash-file.h"
#include "semihost.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TIMER0 0x40000000u
#define T_CTRL (*(volatile uint32_t *)(TIMER0 + 0x0))
#define T_VALUE (*(volatile uint32_t *)(TIMER0 + 0x4))
#define T_RELOAD (*(volatile uint32_t *)(TIMER0 + 0x8))
#define TICKS_PER_MS 25000.0 /* the mps2's 25 MHz peripheral clock */
#define UART0 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0 + 0x0))
#define UART_STATE (*(volatile uint32_t *)(UART0 + 0x4))
#define UART_CTRL (*(volatile uint32_t *)(UART0 + 0x8))
#define UART_INTCLEAR (*(volatile uint32_t *)(UART0 + 0xC))
#define TIMER1 0x40001000u
#define T1_CTRL (*(volatile uint32_t *)(TIMER1 + 0x0))
#define T1_VALUE (*(volatile uint32_t *)(TIMER1 + 0x4))
#define T1_RELOAD (*(volatile uint32_t *)(TIMER1 + 0x8))
#define T1_INTCLEAR (*(volatile uint32_t *)(TIMER1 + 0xC))
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)
#define IRQ_UART0_RX 0
#define IRQ_TIMER1 9
#define IDLE_MAX_MS 50.0

extern const uint32_t board_serial_stack;
extern const uint8_t as_sha256_wasm[];
extern const uint32_t as_sha256_wasm_len;
static uint64_t ticks;
static uint32_t last, rng = 1;

/* The timer counts down from 2^32-1 and wraps every 171 s; the loop reads it far more often. */
double serial_now_ms(void) {
  uint32_t v = T_VALUE;
  ticks += (uint32_t)(last - v);
  last = v;
  return (double)ticks / TICKS_PER_MS;
}

uint32_t serial_random(void) {
  uint32_t r;
  if (entropy_next(&r)) return r;
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* Semihosting SYS_WRITE0: a NUL-terminated line on QEMU's stderr. */
void serial_log(int level, const char *text, size_t len) {
  static char line[200];
  size_t n = 0;
  line[n++] = (char)('0' + (level & 7));
  line[n++] = ' ';
  for (size_t i = 0; i < len && n + 2 < sizeof line; i++) line[n++] = text[i] ? text[i] : ' ';
  line[n++] = '\n';
  line[n] = 0;
  semihost_write0(line);
}

/* %XX in place (host/board/qemu-pty.ts encodes a space, '%', ',' and bytes outside 0x21..0x7e). */
static void percent_decode(char *s) {
  char *o = s;
  for (; *s; s++) {
    int hi, lo;
    if (*s == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) { *o++ = (char)(hi << 4 | lo); s += 2; }
    else *o++ = *s;
  }
  *o = 0;
}

/* The command line's store= and entropy= (its buffer on this frame only: serial_main never
 * returns). A command line that cannot be read or a store file that cannot be opened stops the
 * board: flashing into RAM that the user asked to be kept would look like it worked. */
#define CMDLINE_BYTES 640 /* BOARD_CMDLINE_BYTES in host/board/qemu-pty.ts */
static __attribute__((noinline)) void open_host_files(void) {
  char cmd[CMDLINE_BYTES], note[200];
  const char *store = NULL, *source = "/dev/urandom";
  if (semihost_cmdline(cmd, sizeof cmd)) {
    static const char no[] = "cannot read the board's command line (semihosting; longer than 639 bytes?)";
    serial_log(3, no, sizeof no - 1);
    semihost_exit(0);
  }
  {
    for (char *t = cmd; *t;) {
      char *end = t;
      while (*end && *end != ' ') end++;
      if (*end) *end++ = 0;
      if (!strncmp(t, "store=", 6)) { store = t + 6; percent_decode(t + 6); }
      else if (!strncmp(t, "entropy=", 8)) { source = t + 8; percent_decode(t + 8); }
      t = end;
    }
  }
  if (store) {
    int failed = flash_file_open(store, note, sizeof note);
    serial_log(failed ? 3 : 1, note, strlen(note));
    if (failed) semihost_exit(0);
  } else {
    static const char ram[] = "no store file: the module and cell stores live as long as this QEMU process";
    serial_log(1, ram, sizeof ram - 1);
  }
  if (entropy_open(source, note, sizeof note)) serial_log(2, note, strlen(note));
}

static void uart0_rx_irq(void) { UART_INTCLEAR = 2u; }
static void timer1_irq(void) { T1_CTRL = 0; T1_INTCLEAR = 1u; }

/* The image's 16 system vectors (at 0) and two interrupts, in RAM; VTOR points here. */
static void (*vectors_ram[32])(void) __attribute__((aligned(128)));

static void idle_setup(void) {
  void (*const *rom)(void) = (void (*const *)(void))0;
  for (int i = 0; i < 16; i++) vectors_ram[i] = rom[i];
  vectors_ram[16 + IRQ_UART0_RX] = uart0_rx_irq;
  vectors_ram[16 + IRQ_TIMER1] = timer1_irq;
  SCB_VTOR = (uint32_t)vectors_ram;
  UART_CTRL |= 1u << 3; /* RX interrupt enable (bit 2 is TX) */
  NVIC_ISER0 = (1u << IRQ_UART0_RX) | (1u << IRQ_TIMER1);
  __asm__ volatile("cpsie i" ::: "memory");
}

/* Sleeps until a byte comes or `ms` pass. */
static void idle(double ms) {
  if (ms > IDLE_MAX_MS) ms = IDLE_MAX_MS;
  uint32_t t = (uint32_t)(ms * TICKS_PER_MS) + 1;
  T1_CTRL = 0;
  T1_RELOAD = t;
  T1_VALUE = t;
  T1_CTRL = 1u | 8u; /* enable, interrupt */
  if (!(UART_STATE & 2u)) __asm__ volatile("wfi" ::: "memory");
  T1_CTRL = 0;
}

/* Modules run in place from the memory-mapped flash. */
static const uint8_t *map_in_place(int slot, uint32_t offset, uint32_t size) {
  (void)slot;
  (void)size;
  return (const uint8_t *)0x00300000u + offset;
}

void serial_main(void) {
  /* Allocated at start-up rather than static: a script-mode image (the same binary's other mode)
   * then does not carry these 8 KB (docs/boards.md, RAM). */
  serial_deframer *d = malloc(sizeof *d);
  if (!d) { serial_log(3, "no memory for the serial receiver", 33); for (;;) {} }
  module_hash_use(as_sha256_wasm, as_sha256_wasm_len);
  T_RELOAD = 0xFFFFFFFFu;
  T_VALUE = 0xFFFFFFFFu;
  T_CTRL = 1;
  last = T_VALUE;
  open_host_files();
  uint32_t node;
  if (entropy_next(&node)) {
    static const char host[] = "random: the host's entropy (semihosting)";
    serial_log(1, host, sizeof host - 1);
  } else {
    static const char weak[] = "random: not true entropy: xorshift32 seeded from the timer at the host's first byte";
    serial_log(2, weak, sizeof weak - 1);
    while (!(UART_STATE & 2u)) serial_now_ms();
    rng = (uint32_t)ticks * 2654435761u ^ T_VALUE;
    if (!rng) rng = 1;
    node = serial_random();
  }
  node |= 1;
  board_options opts = { .stack_bytes = board_serial_stack, .fuel_per_call = 10000000 };
  const char *ready = store_boot(node, &opts, serial_now_ms(), map_in_place) ? "ready: kernel running from the store" : "ready: no kernel; install frames only";
  serial_log(1, ready, __builtin_strlen(ready));
  serial_deframer_init(d);
  idle_setup();
  double wake = 0;
  for (;;) {
    if (UART_STATE & 2u) {
      uint8_t c = (uint8_t)UART_DATA;
      serial_deframer_push(d, &c, 1, bare_on_frame, 0);
      continue;
    }
    double now = serial_now_ms();
    if (store_kernel_running && now >= wake) {
      const char *err = board_k_tick(now, &wake);
      if (err) { serial_log(3, err, __builtin_strlen(err)); store_kernel_running = 0; }
      continue;
    }
    idle(store_kernel_running ? wake - now : IDLE_MAX_MS);
  }
}
