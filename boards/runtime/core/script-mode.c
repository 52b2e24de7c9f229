#include "script-mode.h"
#include "heap-mark.h"
#include "platform.h"
#include "runtime.h"
#include "module-hash.h"
#include <stdlib.h>
#include <string.h>

#ifndef SCRIPT_LINE_MAX
/* A step's hex field holds at most one frame of the kernel's buffer (k_buf_cap, 2,048 bytes) or a
 * 2 KiB hash input, plus the op's name and numbers. */
#define SCRIPT_LINE_MAX (2 * 2048 + 64)
#endif

static double now_ms;
static uint32_t xorshift_state = 1;
/* The line is allocated by script_begin and the held output by the first `count`, not static:
 * an image's serial mode (the same binary's other mode), and a session that counts nothing, then
 * do not carry them (docs/boards.md, RAM). */
static char *line;
static uint8_t out[256];
static size_t out_len;
static int counting; /* `count`: each frame, call and tick also prints the ticks it took */
static long ticks_at;

double script_now(void) { return now_ms; }

uint32_t script_random(void) {
  /* xorshift32 (Marsaglia 2003): host/board/board-script.ts computes the same sequence. */
  uint32_t x = xorshift_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return xorshift_state = x;
}

static void flush(void) {
  if (out_len) platform_serial_write(out, out_len);
  out_len = 0;
}
static void put(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (out_len == sizeof out) flush();
    out[out_len++] = (uint8_t)s[i];
  }
}
static void puts_(const char *s) { put(s, strlen(s)); }
static void put_hex(const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) { char h[2] = { digits[p[i] >> 4], digits[p[i] & 15] }; put(h, 2); }
}
static void put_int(long long v) {
  char b[24];
  int i = 23;
  int neg = v < 0;
  unsigned long long u = neg ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
  b[i] = 0;
  do { b[--i] = (char)('0' + u % 10); u /= 10; } while (u);
  if (neg) b[--i] = '-';
  puts_(b + i);
}
static void put_bits(double d) {
  uint8_t b[8];
  uint64_t u;
  memcpy(&u, &d, 8);
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(u >> (56 - 8 * i));
  put_hex(b, 8);
}
static void end_line(void) { put("\n", 1); }

static void print_send(const uint8_t *frame, size_t len) { puts_("send "); put_hex(frame, len); end_line(); }
static void print_fuel(int slot, int32_t used) { puts_("fuel "); put_int(slot); puts_(" "); put_int(used); end_line(); }
static void print_log(int level, const char *text, size_t len) { puts_("log "); put_int(level); puts_(" "); put_hex((const uint8_t *)text, len); end_line(); }

/* While a counted call runs, its effects are held raw and printed after the count stops, so the
 * ticks are the runtime's own work, not this protocol's hex formatting and UART writes. */
enum { HELD_SEND, HELD_FUEL, HELD_LOG };
#define HELD_MAX 4096
static uint8_t *held;
static size_t held_len;
static int holding;
static void print_held(void);
static int hold(int kind, int32_t a, const uint8_t *p, size_t n) {
  if (!holding || !held) return 0; /* held is allocated by the first `count` */
  if (held_len + 12 + n > HELD_MAX) { print_held(); return 0; } /* too much to hold: in order, now */
  int32_t h[3] = { kind, a, (int32_t)n };
  memcpy(held + held_len, h, 12);
  if (n) memcpy(held + held_len + 12, p, n);
  held_len += 12 + n;
  return 1;
}
static void print_held(void) {
  for (size_t i = 0; i < held_len;) {
    int32_t h[3];
    memcpy(h, held + i, 12);
    const uint8_t *p = held + i + 12;
    if (h[0] == HELD_SEND) print_send(p, (size_t)h[2]);
    else if (h[0] == HELD_FUEL) { int32_t used; memcpy(&used, p, 4); print_fuel(h[1], used); }
    else print_log(h[1], (const char *)p, (size_t)h[2]);
    i += 12 + (size_t)h[2];
  }
  held_len = 0;
}
static void on_send(const uint8_t *frame, size_t len) { if (!hold(HELD_SEND, 0, frame, len)) print_send(frame, len); }
static void on_fuel(int slot, int32_t used) {
  int32_t u = used;
  if (!hold(HELD_FUEL, slot, (const uint8_t *)&u, 4)) print_fuel(slot, used);
}
static void on_log(int level, const char *text, size_t len) { if (!hold(HELD_LOG, level, (const uint8_t *)text, len)) print_log(level, text, len); }
static void on_deliver(int kind, int seq, uint32_t src, const uint8_t *p, size_t len) {
  puts_("deliver "); put_int(kind); puts_(" "); put_int(seq); puts_(" "); put_int(src); puts_(" "); put_hex(p, len); end_line();
}

/* Reads one line into `line` (without its newline); -1 at the end of the input, -2 for a line
 * longer than the buffer (read to its end and dropped: its step is answered with an error, never
 * run on a cut field). */
static int read_line(void) {
  size_t n = 0;
  int over = 0;
  for (;;) {
    uint8_t c;
    int r = platform_serial_read(&c, 1);
    if (r <= 0) return over ? -2 : n ? (int)n : -1;
    if (c == '\n') break;
    if (n + 1 < SCRIPT_LINE_MAX) line[n++] = (char)c;
    else over = 1;
  }
  line[n] = 0;
  return over ? -2 : (int)n;
}

/* Parsers for the fields of a line; `*p` moves past the field and one space. */
static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }
static long long field_int(const char **p) {
  const char *s = *p;
  int neg = *s == '-';
  long long v = 0;
  if (neg) s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  while (*s == ' ') s++;
  *p = s;
  return neg ? -v : v;
}
static uint64_t field_hex64(const char **p) {
  const char *s = *p;
  uint64_t v = 0;
  while (hexval(*s) >= 0) v = (v << 4) | (uint64_t)hexval(*s++);
  while (*s == ' ') s++;
  *p = s;
  return v;
}
static double field_bits(const char **p) {
  uint64_t u = field_hex64(p);
  double d;
  memcpy(&d, &u, 8);
  return d;
}
/* Decodes hex at `s` in place (each byte lands before the digits it came from); returns the length. */
static size_t field_bytes(char *s) {
  size_t n = 0;
  while (hexval(s[2 * n]) >= 0 && hexval(s[2 * n + 1]) >= 0) {
    ((uint8_t *)s)[n] = (uint8_t)(hexval(s[2 * n]) << 4 | hexval(s[2 * n + 1]));
    n++;
  }
  return n;
}

static int is(const char *word, const char **rest) {
  size_t n = strlen(word);
  if (strncmp(line, word, n) != 0 || (line[n] != ' ' && line[n] != 0)) return 0;
  *rest = line + n + (line[n] == ' ');
  return 1;
}

static void result(const char *err, int32_t r) {
  if (err) return;
  puts_("result "); put_int(r); end_line();
}

static void count_start(void) {
  if (!counting) return;
  holding = 1;
  ticks_at = platform_ticks();
}
static void count_end(void) {
  if (!counting) return;
  long t = platform_ticks();
  holding = 0;
  print_held();
  puts_("ticks "); put_int(t < 0 ? -1 : (ticks_at - t) & 0xffffff); end_line(); /* a down-counter */
}

void script_begin(uint32_t seed) {
  line = malloc(SCRIPT_LINE_MAX);
  xorshift_state = seed ? seed : 1;
  board_observe = (board_observers){ .fuel = on_fuel, .deliver = on_deliver, .send = on_send, .log = on_log };
}

int script_run(void) {
  if (!line) { platform_log(3, "no memory for the script line", 29); return 1; }
  puts_("ready\n");
  flush();
  int got;
  while ((got = read_line()) != -1) {
    const char *a;
    const char *err = NULL;
    int32_t r = 0;
    if (got == -2) {
      puts_("error line over "); put_int(SCRIPT_LINE_MAX - 1); puts_(" bytes: step dropped"); end_line();
      continue;
    }
    if (line[0] == 0) continue;
    if (is("now", &a)) now_ms = field_bits(&a);
    else if (is("init", &a)) err = board_k_init((uint32_t)field_int(&a), now_ms);
    else if (is("config", &a)) { int32_t key = (int32_t)field_int(&a); err = board_k_config(key, field_bits(&a), &r); result(err, r); }
    else if (is("host", &a)) { int32_t slot = (int32_t)field_int(&a); err = board_host(slot, (uint32_t)field_int(&a), &r); result(err, r); }
    else if (is("peer", &a)) { err = board_k_i32("k_add_peer", 1, (int32_t)field_int(&a), 0, 0, &r); result(err, r); }
    else if (is("stat", &a)) { err = board_k_i32("k_stat", 1, (int32_t)field_int(&a), 0, 0, &r); result(err, r); }
    else if (is("frame", &a)) {
      size_t n = field_bytes((char *)a);
      count_start();
      err = board_on_frame((const uint8_t *)a, n, &r);
      count_end();
      result(err, r);
    }
    else if (is("call", &a)) {
      int32_t dst = (int32_t)field_int(&a);
      int32_t species = (int32_t)field_int(&a);
      size_t n = field_bytes((char *)a);
      uint32_t cap;
      uint8_t *buf = board_k_buf(&cap);
      if (!buf || n + 20 > cap) err = "call payload too large for k_buf";
      else {
        memcpy(buf + 20, a, n);
        count_start();
        err = board_k_i32("k_call", 3, dst, species, (int32_t)n, &r);
        count_end();
        result(err, r);
      }
    } else if (is("tick", &a)) {
      double wake;
      count_start();
      err = board_k_tick(now_ms, &wake);
      count_end();
      if (!err) { puts_("wake "); put_bits(wake); end_line(); }
    } else if (is("mem", &a)) { puts_("maxrss "); put_int(platform_peak_bytes()); end_line(); }
    else if (is("cstack", &a)) { puts_("cstack "); put_int(platform_cstack_bytes()); end_line(); }
    else if (is("count", &a)) {
      if (!held) held = malloc(HELD_MAX);
      if (held) counting = 1;
      else err = "no memory to hold a counted call's output";
    }
    else if (is("sha256", &a)) {
      /* The board's own SHA-256 (module-hash.c: the hash its module checks use) over the bytes. */
      size_t n = field_bytes((char *)a);
      uint8_t digest[32];
      count_start();
      err = module_hash_bytes((const uint8_t *)a, (uint32_t)n, digest);
      count_end();
      if (!err) { puts_("sha256 "); put_hex(digest, 32); end_line(); }
    }
    else if (is("spin", &a)) {
      uint32_t n = (uint32_t)field_int(&a);
      int was = counting;
      counting = 1;
      count_start();
      platform_spin(n);
      count_end();
      counting = was;
    } else if (is("quit", &a)) break;
    else { puts_("error unknown command "); puts_(line); end_line(); }
    if (err) { puts_("error "); puts_(err); end_line(); }
    HEAP_MARK(line, -1);
    puts_("ok\n");
    flush();
  }
  HEAP_STACKS();
  flush();
  return 0;
}
