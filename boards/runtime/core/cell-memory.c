/* cell-memory.h: walks the module's sections for "cell.memory"; wasm3 skips custom sections it
 * does not know, so the runtime reads this one itself, before the module is loaded. */
#include "cell-memory.h"
#include "m3_core.h"
#include <stdio.h>
#include <string.h>

static char why[160];

/* An unsigned LEB128 of at most 32 bits at *at, below end (wasm3's reader); 0 when it runs out or overflows. */
static int uleb(const uint8_t *p, size_t end, size_t *at, uint32_t *out) {
  bytes_t b = p + *at;
  if (ReadLEB_u32(out, &b, p + end)) return 0;
  *at = (size_t)(b - p);
  return 1;
}

const char *cell_declared_memory(const uint8_t *wasm, size_t len, uint32_t *bytes) {
  size_t at = 8; /* after "\0asm" and the version; wasm3 checks those */
  const size_t name_len = sizeof CELL_MEMORY_SECTION - 1;
  *bytes = 0;
  while (at < len) {
    uint8_t id = wasm[at++];
    uint32_t size, n;
    if (!uleb(wasm, len, &at, &size) || size > len - at) return NULL; /* malformed: wasm3's parser says how */
    size_t end = at + size;
    size_t p = at;
    at = end;
    if (id != 0 || !uleb(wasm, end, &p, &n) || n != name_len || end - p < n || memcmp(wasm + p, CELL_MEMORY_SECTION, n) != 0) continue;
    p += n;
    if (*bytes) return "custom section \"" CELL_MEMORY_SECTION "\" appears twice";
    if (end - p != 4) {
      snprintf(why, sizeof why, "custom section \"%s\" must hold 4 bytes (a u32), it holds %u", CELL_MEMORY_SECTION, (unsigned)(end - p));
      return why;
    }
    uint32_t v = (uint32_t)wasm[p] | (uint32_t)wasm[p + 1] << 8 | (uint32_t)wasm[p + 2] << 16 | (uint32_t)wasm[p + 3] << 24;
    if (v < CELL_MEMORY_MIN || v > CELL_MEMORY_MAX || v % CELL_MEMORY_GRANULE != 0) {
      snprintf(why, sizeof why, "custom section \"%s\": %u bytes is not a cell memory (%u..%u, a multiple of %u)", CELL_MEMORY_SECTION,
               (unsigned)v, CELL_MEMORY_MIN, CELL_MEMORY_MAX, CELL_MEMORY_GRANULE);
      return why;
    }
    *bytes = v;
  }
  return NULL;
}
