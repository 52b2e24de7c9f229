/* The heap trace of an image built with -DBOARD_HEAP_TRACE -Dd_m3LogHeapOps=1
 * -Dfprintf=board_heap_fprintf (bench/board-ram-breakdown.ts): wasm3's own log of every
 * allocation (its name, size and address) and the runtime's phase marks go straight to UART0 as
 * lines "heap-op ..." and "heap-mark ...", each with the heap's top (what sbrk has handed out).
 * Other images compile this file to nothing. */
#ifdef BOARD_HEAP_TRACE
#include "../../core/platform.h"
#include "../../core/script-mode.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put_line(const char *head, const char *body) {
  char tail[24];
  snprintf(tail, sizeof tail, " top=%ld\n", platform_peak_bytes());
  platform_serial_write((const uint8_t *)head, strlen(head));
  platform_serial_write((const uint8_t *)body, strlen(body));
  platform_serial_write((const uint8_t *)tail, strlen(tail));
}

/* wasm3 calls fprintf(stderr, ...) only for its heap log in this build. */
int board_heap_fprintf(FILE *f, const char *fmt, ...) {
  char buf[160], form[96];
  size_t k = 0;
  va_list ap;
  (void)f;
  /* newlib-nano's printf has no %zu; size_t is an unsigned int here. */
  for (const char *p = fmt; *p && k + 1 < sizeof form; p++) if (!(p[0] == 'z' && p > fmt && p[-1] == '%')) form[k++] = *p;
  form[k] = 0;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, form, ap);
  va_end(ap);
  size_t len = strlen(buf);
  if (len && buf[len - 1] == '\n') buf[len - 1] = 0;
  put_line("heap-op ", buf);
  return n;
}

void board_heap_mark(const char *phase, int slot) {
  char buf[64];
  size_t n = 0; /* a script command's first word only (its fields may be decoded bytes by now) */
  while (phase[n] > ' ' && phase[n] < 0x7f && n < 40) n++;
  snprintf(buf, sizeof buf, "%.*s %d", (int)n, phase, slot);
  put_line("heap-mark ", buf);
}
#else
typedef int board_heap_trace_unused;
#endif
