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
static double script_now;
static uint32_t xorshift_state;

double platform_now_ms(void) {
  if (scripted) return script_now;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

uint32_t platform_random(void) {
  if (scripted) {
    /* xorshift32 (Marsaglia 2003): the test computes the same sequence on V8. */
    uint32_t x = xorshift_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return xorshift_state = x;
  }
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

static void hex_line(const char *tag, const uint8_t *p, size_t len) {
  fputs(tag, stdout);
  for (size_t i = 0; i < len; i++) printf("%02x", p[i]);
  putchar('\n');
}

void platform_log(int level, const char *text, size_t len) {
  if (scripted) {
    printf("log %d ", level);
    hex_line("", (const uint8_t *)text, len);
  } else {
    fprintf(stderr, "[%d] %.*s\n", level, (int)len, text);
  }
}

static void observe_send(const uint8_t *frame, size_t len) { hex_line("send ", frame, len); }
static void observe_fuel(int slot, int32_t used) { printf("fuel %d %d\n", slot, (int)used); }
static void observe_deliver(int kind, int seq, uint32_t src, const uint8_t *p, size_t len) {
  printf("deliver %d %d %u ", kind, seq, (unsigned)src);
  hex_line("", p, len);
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

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (s[0] && s[1] && s[0] != '\n' && n < cap) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) break;
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

/* Doubles cross the line protocol as their 64 bits in hex, so nothing is lost in printing. */
static double bits_to_double(unsigned long long b) { double d; memcpy(&d, &b, 8); return d; }
static unsigned long long double_bits(double d) { unsigned long long b; memcpy(&b, &d, 8); return b; }

static int run_script(void) {
  static char line[2 * 8192 + 64];
  static uint8_t bytes[8192];
  while (fgets(line, sizeof line, stdin)) {
    char cmd[16];
    const char *err = NULL;
    int32_t r = 0;
    if (sscanf(line, "%15s", cmd) != 1) continue;
    const char *arg = line + strlen(cmd);
    while (*arg == ' ') arg++;
    if (!strcmp(cmd, "now")) {
      unsigned long long b;
      sscanf(arg, "%llx", &b);
      script_now = bits_to_double(b);
    } else if (!strcmp(cmd, "init")) {
      unsigned node;
      sscanf(arg, "%u", &node);
      err = board_k_init(node, script_now);
    } else if (!strcmp(cmd, "config")) {
      int key;
      unsigned long long b;
      sscanf(arg, "%d %llx", &key, &b);
      err = board_k_config(key, bits_to_double(b), &r);
      if (!err) printf("result %d\n", (int)r);
    } else if (!strcmp(cmd, "host") || !strcmp(cmd, "peer") || !strcmp(cmd, "stat")) {
      int a = 0;
      unsigned b = 0;
      sscanf(arg, "%d %u", &a, &b);
      if (!strcmp(cmd, "host")) err = board_k_i32("k_host", 2, a, (int32_t)b, 0, &r);
      else if (!strcmp(cmd, "peer")) err = board_k_i32("k_add_peer", 1, a, 0, 0, &r);
      else err = board_k_i32("k_stat", 1, a, 0, 0, &r);
      if (!err) printf("result %d\n", (int)r);
    } else if (!strcmp(cmd, "frame")) {
      size_t n = unhex(arg, bytes, sizeof bytes);
      err = board_on_frame(bytes, n, &r);
      if (!err) printf("result %d\n", (int)r);
    } else if (!strcmp(cmd, "call")) {
      unsigned dst, species;
      int skip = 0;
      sscanf(arg, "%u %u %n", &dst, &species, &skip);
      uint32_t cap;
      uint8_t *buf = board_k_buf(&cap);
      size_t n = unhex(arg + skip, bytes, sizeof bytes);
      if (!buf || n + 20 > cap) err = "call payload too large for k_buf";
      else {
        memcpy(buf + 20, bytes, n);
        err = board_k_i32("k_call", 3, (int32_t)dst, (int32_t)species, (int32_t)n, &r);
        if (!err) printf("result %d\n", (int)r);
      }
    } else if (!strcmp(cmd, "tick")) {
      double wake;
      err = board_k_tick(script_now, &wake);
      if (!err) printf("wake %016llx\n", double_bits(wake));
    } else if (!strcmp(cmd, "mem")) {
      struct rusage u;
      getrusage(RUSAGE_SELF, &u);
      printf("maxrss %ld\n", u.ru_maxrss * 1024L);
    } else if (!strcmp(cmd, "quit")) {
      break;
    } else {
      printf("error unknown command %s\n", cmd);
    }
    if (err) printf("error %s\n", err);
    printf("ok\n");
    fflush(stdout);
  }
  return 0;
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
  xorshift_state = seed ? (uint32_t)seed : 1;
  if (scripted) board_observe = (board_observers){ .fuel = observe_fuel, .deliver = observe_deliver, .send = observe_send };
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
  if (scripted) {
    printf("ready\n");
    fflush(stdout);
    return run_script();
  }
  if (!node) node = platform_random() | 1;
  if ((err = board_k_init((uint32_t)node, platform_now_ms()))) fail("k_init", err);
  fprintf(stderr, "cell-board: node %08lx ready\n", node);
  return run_serial();
}
