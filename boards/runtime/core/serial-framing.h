/* Serial framing of docs/wire.md (host/wire/serial-framing.ts): frame + CRC-16/CCITT-FALSE
 * (little-endian), COBS encoded, between two 0x00 delimiters. */
#ifndef CELL_BOARD_SERIAL_FRAMING_H
#define CELL_BOARD_SERIAL_FRAMING_H
#include <stddef.h>
#include <stdint.h>

/* Largest frame (header + payload) the board takes: the mcu kernel's buffer bounds it anyway. */
#define SERIAL_MAX_FRAME (20 + 4096)
#define SERIAL_CRC_BYTES 2
#define SERIAL_COBS_MAX(n) ((n) + (n) / 254 + 1)

uint16_t crc16_ccitt(const uint8_t *bytes, size_t len);

/* Encodes one frame to `out` (0x00 + COBS(frame + crc) + 0x00); returns the bytes written, or 0
 * when `cap` is too small. */
size_t serial_encode(const uint8_t *frame, size_t len, uint8_t *out, size_t cap);

/* The receiver decodes COBS as the bytes arrive, so it holds the decoded frame only, not the
 * encoded run as well (4,137 bytes less). */
typedef struct {
  uint8_t decoded[SERIAL_MAX_FRAME + SERIAL_CRC_BYTES];
  size_t len;     /* bytes decoded in this run */
  uint8_t code;   /* the current COBS block's code byte */
  uint8_t left;   /* its data bytes still to come; 0: the next byte is a code byte */
  uint8_t started; /* a code byte was read in this run */
  uint8_t discarding;
  uint32_t frames;
  uint32_t dropped;
} serial_deframer;

typedef void (*serial_frame_fn)(void *ctx, const uint8_t *frame, size_t len);

void serial_deframer_init(serial_deframer *d);
/* Feeds received bytes cut anywhere; calls `on_frame` for each frame whose CRC holds. A bad run
 * costs itself only (counted in `dropped`); the next 0x00 puts the receiver back in step. */
void serial_deframer_push(serial_deframer *d, const uint8_t *bytes, size_t len, serial_frame_fn on_frame, void *ctx);

#endif
