#include "serial-framing.h"
#include <string.h>

uint16_t crc16_ccitt(const uint8_t *bytes, size_t len) {
  uint16_t crc = 0xffff;
  for (size_t i = 0; i < len; i++) {
    crc ^= (uint16_t)bytes[i] << 8;
    for (int k = 0; k < 8; k++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  return crc;
}

/* COBS over `n` bytes of `in` (which may be split in two parts: frame, then crc). */
static size_t cobs_encode2(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t *out, size_t cap) {
  size_t code_at = 0, o = 1;
  uint8_t code = 1;
  if (cap < 1) return 0;
  for (size_t i = 0; i < an + bn; i++) {
    uint8_t byte = i < an ? a[i] : b[i - an];
    if (byte == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
      if (o > cap) return 0;
    } else {
      if (o >= cap) return 0;
      out[o++] = byte;
      code++;
      if (code == 0xff) {
        out[code_at] = code;
        code_at = o++;
        code = 1;
        if (o > cap) return 0;
      }
    }
  }
  out[code_at] = code;
  return o;
}

size_t serial_encode(const uint8_t *frame, size_t len, uint8_t *out, size_t cap) {
  uint16_t crc = crc16_ccitt(frame, len);
  uint8_t tail[2] = { (uint8_t)(crc & 0xff), (uint8_t)(crc >> 8) };
  if (cap < 3) return 0;
  out[0] = 0;
  size_t n = cobs_encode2(frame, len, tail, 2, out + 1, cap - 2);
  if (n == 0) return 0;
  out[n + 1] = 0;
  return n + 2;
}

void serial_deframer_init(serial_deframer *d) {
  memset(d, 0, sizeof *d);
}

static void end_run(serial_deframer *d, serial_frame_fn on_frame, void *ctx) {
  size_t n = d->len;
  int bad = d->discarding || d->left > 0; /* too long, or a block cut short by the delimiter */
  int idle = !d->started;                 /* nothing between two delimiters */
  d->len = 0;
  d->code = d->left = d->started = d->discarding = 0;
  if (idle && !bad) return;
  if (bad || n < SERIAL_CRC_BYTES) { d->dropped++; return; }
  size_t f = n - SERIAL_CRC_BYTES;
  uint16_t crc = (uint16_t)(d->decoded[f] | (d->decoded[f + 1] << 8));
  if (crc16_ccitt(d->decoded, f) != crc) { d->dropped++; return; }
  d->frames++;
  on_frame(ctx, d->decoded, f);
}

static void put(serial_deframer *d, uint8_t b) {
  if (d->len >= sizeof d->decoded) d->discarding = 1;
  else d->decoded[d->len++] = b;
}

/* COBS, decoded byte by byte: a code byte c is followed by c - 1 data bytes, then (unless c is
 * 0xff or the run ends there) a zero, which is written when the next code byte arrives. */
void serial_deframer_push(serial_deframer *d, const uint8_t *bytes, size_t len, serial_frame_fn on_frame, void *ctx) {
  for (size_t i = 0; i < len; i++) {
    uint8_t b = bytes[i];
    if (b == 0) { end_run(d, on_frame, ctx); continue; }
    if (d->discarding) continue;
    if (d->left > 0) { put(d, b); d->left--; continue; }
    if (d->started && d->code != 0xff) put(d, 0);
    d->code = b;
    d->left = (uint8_t)(b - 1);
    d->started = 1;
  }
}
