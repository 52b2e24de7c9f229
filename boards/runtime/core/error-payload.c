#include "error-payload.h"
#include <string.h>

/* A CBOR head: major type and argument, shortest form (RFC 8949, 3.1). */
static size_t head(uint8_t *out, uint8_t major, uint32_t v) {
  major <<= 5;
  if (v < 24) { out[0] = major | (uint8_t)v; return 1; }
  if (v < 0x100) { out[0] = major | 24; out[1] = (uint8_t)v; return 2; }
  if (v < 0x10000) { out[0] = major | 25; out[1] = (uint8_t)(v >> 8); out[2] = (uint8_t)v; return 3; }
  out[0] = major | 26; out[1] = (uint8_t)(v >> 24); out[2] = (uint8_t)(v >> 16); out[3] = (uint8_t)(v >> 8); out[4] = (uint8_t)v;
  return 5;
}

size_t error_payload(uint8_t *out, size_t cap, unsigned code, const char *text, size_t text_len) {
  uint8_t h[12];
  size_t n = head(h, 4, 2);
  n += head(h + n, 0, code);
  n += head(h + n, 3, (uint32_t)text_len);
  if (n + text_len > cap) return 0;
  memcpy(out, h, n);
  memcpy(out + n, text, text_len);
  return n + text_len;
}
