/* The posix platform: the board runtime as a process, the "virtual board" of the tests.
 *   cell-board --kernel K.wasm [--cell C.wasm:SPECIES ...] [--node ID] [--stack BYTES] [--fuel N]
 *     serial mode: the serial link is stdin/stdout (a pty or a pipe), COBS + CRC framed;
 *     the clock is CLOCK_MONOTONIC, entropy is getrandom(2), hal.log goes to stderr.
 *   cell-board --store FILE [--node ID]
 *     a file stands for the board's flash (core/module-store.h): the kernel and cells installed
 *     into it over the serial link (core/install-protocol.h, `cell flash --board posix`) are
 *     checked against their SHA-256 and run at start-up; with no kernel stored, the board
 *     answers install frames only. --kernel/--cell may still be given (they take precedence).
 *   ... --script --seed N
 *     conformance mode: stdin is a line protocol the test drives (clock, frames, calls, ticks),
 *     random is xorshift32 from the seed, and every effect is printed as a line on stdout;
 *     `mem` prints the process's peak resident bytes (the bench reads it).
 * Module files are read once at start-up, as a board maps them from flash. */
#define _GNU_SOURCE
#include "../../core/platform.h"
#include "../../core/runtime.h"
#include "../../core/serial-framing.h"
#include "../../core/script-mode.h"
#include "../../core/install-protocol.h"
#include "../../core/module-hash.h"
#include "../../core/module-store.h"
#include "../../core/store-boot.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int scripted;
static int kernel_running;
extern char **posix_argv;
int posix_store_open(const char *path);
/* @chainsafe/as-sha256's build/optimized.wasm, generated into build/ by host/board/build-runtime.ts. */
extern const uint8_t as_sha256_wasm[];
extern const unsigned as_sha256_wasm_len;

double platform_now_ms(void) {
  if (scripted) return script_now();
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

uint32_t platform_random(void) {
  if (scripted) return script_random();
  uint32_t r;
  while (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
    if (errno != EINTR) { perror("getrandom"); exit(2); }
  }
  return r;
}

void platform_serial_write(const uint8_t *bytes, size_t len) {
  while (len > 0) {
    ssize_t n = write(1, bytes, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      exit(0); /* the other end of the line is gone */
    }
    bytes += n;
    len -= (size_t)n;
  }
}

int platform_serial_read(uint8_t *buf, size_t cap) {
  /* Script mode reads a byte at a time; a small buffer keeps that off the syscall path. */
  static uint8_t in[4096];
  static size_t have, at;
  if (at == have) {
    ssize_t n;
    do n = read(0, in, sizeof in); while (n < 0 && errno == EINTR);
    if (n <= 0) return (int)n;
    have = (size_t)n;
    at = 0;
  }
  size_t n = have - at < cap ? have - at : cap;
  memcpy(buf, in + at, n);
  at += n;
  return (int)n;
}

void platform_log(int level, const char *text, size_t len) {
  fprintf(stderr, "[%d] %.*s\n", level, (int)len, text);
}

/* No instruction counter here: the bench counts instructions on the QEMU board. */
long platform_ticks(void) { return -1; }
void platform_spin(uint32_t n) { (void)n; }

/* A process's stack is megabytes: wasm3's own budget stands. */
void *platform_native_stack_limit(void) { return NULL; }
long platform_cstack_bytes(void) { return -1; }

long platform_peak_bytes(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss * 1024L;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cell-board: cannot open %s: %s\n", path, strerror(errno)); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cell-board: cannot read %s\n", path); exit(2); }
  fclose(f);
  *len = (size_t)n;
  return b;
}

static void fail(const char *what, const char *err) {
  fprintf(stderr, "cell-board: %s: %s\n", what, err);
  exit(1);
}

static void on_serial_frame(void *ctx, const uint8_t *frame, size_t len) {
  (void)ctx;
  const char *err = store_on_frame(frame, len);
  if (err) fail("kernel", err);
}

static int run_serial(void) {
  static serial_deframer d;
  static uint8_t chunk[256];
  serial_deframer_init(&d);
  double wake = 0;
  const char *err;
  for (;;) {
    double now = platform_now_ms();
    if (!kernel_running) wake = now + 60000;
    else if (now >= wake) {
      if ((err = board_k_tick(now, &wake))) fail("kernel", err);
      continue;
    }
    double wait = wake - now;
    struct pollfd p = { .fd = 0, .events = POLLIN };
    int timeout = wait > 60000 ? 60000 : (int)wait + 1;
    int n = poll(&p, 1, timeout);
    if (n < 0 && errno != EINTR) { perror("poll"); return 1; }
    if (n > 0) {
      ssize_t got = read(0, chunk, sizeof chunk);
      if (got == 0) return 0; /* the line closed */
      if (got < 0) { if (errno == EINTR || errno == EAGAIN) continue; perror("read"); return 1; }
      serial_deframer_push(&d, chunk, (size_t)got, on_serial_frame, NULL);
    }
  }
}

/* A stored module copied into RAM (wasm3 reads it in place for the board's life). */
static const uint8_t *map_stored(int slot, uint32_t offset, uint32_t size) {
  (void)slot;
  uint8_t *b = malloc(size);
  if (!b || platform_store_read(offset, b, size)) { free(b); return NULL; }
  return b;
}

/* Start-up from the store (core/store-boot.c); without a kernel the board answers install frames only. */
static int run_from_store(uint32_t node, const board_options *opts) {
  kernel_running = store_boot(node, opts, platform_now_ms(), map_stored);
  fprintf(stderr, kernel_running ? "cell-board: node %08x ready (from the store)\n" : "cell-board: node %08x: no kernel runs; waiting for install frames\n", node);
  return run_serial();
}

int main(int argc, char **argv) {
  const char *kernel = NULL, *store = NULL;
  posix_argv = argv;
  module_hash_use(as_sha256_wasm, as_sha256_wasm_len);
  const char *cell_paths[BOARD_MAX_CELLS];
  unsigned long cell_species[BOARD_MAX_CELLS];
  int cells = 0;
  unsigned long node = 0, seed = 1;
  board_options opts = { .stack_bytes = 64 * 1024, .fuel_per_call = 10000000 };
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--script")) { scripted = 1; continue; }
    if (!v) { fprintf(stderr, "cell-board: %s needs a value\n", a); return 2; }
    i++;
    if (!strcmp(a, "--kernel")) kernel = v;
    else if (!strcmp(a, "--store")) store = v;
    else if (!strcmp(a, "--node")) node = strtoul(v, NULL, 0);
    else if (!strcmp(a, "--seed")) seed = strtoul(v, NULL, 0);
    else if (!strcmp(a, "--stack")) opts.stack_bytes = (uint32_t)strtoul(v, NULL, 0);
    else if (!strcmp(a, "--fuel")) opts.fuel_per_call = (int32_t)strtol(v, NULL, 0);
    else if (!strcmp(a, "--cell")) {
      const char *colon = strrchr(v, ':');
      if (!colon || cells >= BOARD_MAX_CELLS) { fprintf(stderr, "cell-board: --cell PATH:SPECIES, at most %d\n", BOARD_MAX_CELLS); return 2; }
      char *path = strndup(v, (size_t)(colon - v));
      cell_paths[cells] = path;
      cell_species[cells++] = strtoul(colon + 1, NULL, 0);
    } else { fprintf(stderr, "cell-board: unknown option %s\n", a); return 2; }
  }
  if (!kernel && !store) { fprintf(stderr, "usage: cell-board --kernel K.wasm [--cell C.wasm:SPECIES ...] [--node ID] [--script --seed N] | --store FILE\n"); return 2; }
  if (store && posix_store_open(store)) { fprintf(stderr, "cell-board: cannot open the store %s: %s\n", store, strerror(errno)); return 2; }
  if (scripted) script_begin((uint32_t)seed); /* start-up logs are already script lines */
  if (!node && !scripted) node = platform_random() | 1; /* script mode: the test's random sequence is untouched */
  install_node = (uint32_t)node;
  const char *err;
  if (!kernel) return run_from_store((uint32_t)node, &opts);
  size_t klen;
  uint8_t *k = read_file(kernel, &klen);
  err = board_start(k, klen, &opts);
  if (err) fail("kernel", err);
  for (int c = 0; c < cells; c++) {
    size_t len;
    uint8_t *w = read_file(cell_paths[c], &len);
    int slot = board_add_cell(w, len, &err);
    if (slot < 0) fail(cell_paths[c], err);
    if (!scripted) {
      int32_t r;
      if ((err = board_host(slot, cell_species[c], &r)) || r != 0) fail("k_host", err ? err : "the kernel's cell table is full");
    }
  }
  if (scripted) return script_run();
  if ((err = board_k_init((uint32_t)node, platform_now_ms()))) fail("k_init", err);
  fprintf(stderr, "cell-board: node %08lx ready\n", node);
  kernel_running = store_kernel_running = install_kernel_running = 1;
  return run_serial();
}
