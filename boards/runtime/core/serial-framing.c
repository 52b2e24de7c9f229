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

/* Decodes one COBS run; returns the decoded length or -1 if the run is not valid COBS. */
static long cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < n) {
    uint8_t code = in[i++];
    if (code == 0 || i + code - 1 > n) return -1;
    for (uint8_t k = 1; k < code; k++) {
      if (o >= cap) return -1;
      out[o++] = in[i++];
    }
    if (code != 0xff && i < n) {
      if (o >= cap) return -1;
      out[o++] = 0;
    }
  }
  return (long)o;
}

static void end_run(serial_deframer *d, serial_frame_fn on_frame, void *ctx) {
  size_t len = d->run_len;
  int discarded = d->discarding;
  d->run_len = 0;
  d->discarding = 0;
  if (discarded) { d->dropped++; return; }
  if (len == 0) return; /* idle line between delimiters */
  long n = cobs_decode(d->run, len, d->decoded, sizeof d->decoded);
  if (n < SERIAL_CRC_BYTES) { d->dropped++; return; }
  size_t f = (size_t)n - SERIAL_CRC_BYTES;
  uint16_t crc = (uint16_t)(d->decoded[f] | (d->decoded[f + 1] << 8));
  if (crc16_ccitt(d->decoded, f) != crc) { d->dropped++; return; }
  d->frames++;
  on_frame(ctx, d->decoded, f);
}

void serial_deframer_push(serial_deframer *d, const uint8_t *bytes, size_t len, serial_frame_fn on_frame, void *ctx) {
  for (size_t i = 0; i < len; i++) {
    uint8_t b = bytes[i];
    if (b == 0) { end_run(d, on_frame, ctx); continue; }
    if (d->discarding) continue;
    if (d->run_len >= sizeof d->run) { d->discarding = 1; d->run_len = 0; continue; }
    d->run[d->run_len++] = b;
  }
}
