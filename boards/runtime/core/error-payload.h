/* ERROR payloads the runtime makes for a cell (docs/abi.md, Cell ABI): CBOR [code, "text"], the
 * same bytes host/wire/error-codes.ts writes, so a board and a host answer alike. */
#ifndef CELL_BOARD_ERROR_PAYLOAD_H
#define CELL_BOARD_ERROR_PAYLOAD_H
#include <stddef.h>
#include <stdint.h>

enum { ERR_CELL_TRAP = 4, ERR_OUT_OF_FUEL = 5, ERR_OUT_OF_MEMORY = 6, ERR_TOO_LARGE = 8 };

/* Writes [code, text] to `out`; returns its length, or 0 if it does not fit `cap`. */
size_t error_payload(uint8_t *out, size_t cap, unsigned code, const char *text, size_t text_len);

#endif
