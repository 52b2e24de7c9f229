/* The posix platform: the board runtime as a process, the "virtual board" of the tests.
 *   cell-board --kernel K.wasm [--cell C.wasm:SPECIES ...] [--node ID] [--stack BYTES] [--fuel N]
 *     serial mode: the serial link is stdin/stdout (a pty or a pipe), COBS + CRC framed;
 *     the clock is CLOCK_MONOTONIC, entropy is getrandom(2), hal.log goes to stderr.
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
  int32_t r;
  const char *err = board_on_frame(frame, len, &r);
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
    if (now >= wake) {
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

int main(int argc, char **argv) {
  const char *kernel = NULL;
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
  if (!kernel) { fprintf(stderr, "usage: cell-board --kernel K.wasm [--cell C.wasm:SPECIES ...] [--node ID] [--script --seed N]\n"); return 2; }
  if (scripted) script_begin((uint32_t)seed); /* start-up logs are already script lines */
  size_t klen;
  uint8_t *k = read_file(kernel, &klen);
  const char *err = board_start(k, klen, &opts);
  if (err) fail("kernel", err);
  for (int c = 0; c < cells; c++) {
    size_t len;
    uint8_t *w = read_file(cell_paths[c], &len);
    int slot = board_add_cell(w, len, &err);
    if (slot < 0) fail(cell_paths[c], err);
    if (!scripted) {
      int32_t r;
      if ((err = board_k_i32("k_host", 2, slot, (int32_t)cell_species[c], 0, &r)) || r != 0) fail("k_host", err ? err : "the kernel's cell table is full");
    }
  }
  if (scripted) return script_run();
  if (!node) node = platform_random() | 1;
  if ((err = board_k_init((uint32_t)node, platform_now_ms()))) fail("k_init", err);
  fprintf(stderr, "cell-board: node %08lx ready\n", node);
  return run_serial();
}
