/* The install protocol over the serial link (issue #14, scope 3; spec and test vector in
 * docs/boards.md, host codec host/board/install-frames.ts). An install frame is a serial frame
 * (COBS + CRC) whose first byte is INSTALL_MAGIC (0xB1); a mesh frame's first byte is 0xCE, so
 * both share one link. The board answers every install request with one reply frame. */
#ifndef CELL_BOARD_INSTALL_PROTOCOL_H
#define CELL_BOARD_INSTALL_PROTOCOL_H
#include <stddef.h>
#include <stdint.h>

#define INSTALL_MAGIC 0xB1
#define INSTALL_MAX_CHUNK 1024

enum { INSTALL_BEGIN = 1, INSTALL_CHUNK = 2, INSTALL_COMMIT = 3, INSTALL_LIST = 4, INSTALL_REBOOT = 5, INSTALL_INFO = 6, INSTALL_ERASE = 7,
       INSTALL_FETCH = 8, INSTALL_FETCH_STATUS = 9 };
enum {
  INSTALL_OK = 0, INSTALL_MALFORMED = 1, INSTALL_BAD_SLOT = 2, INSTALL_TOO_LARGE = 3, INSTALL_NOT_BEGUN = 4,
  INSTALL_BAD_OFFSET = 5, INSTALL_SIZE_MISMATCH = 6, INSTALL_HASH_MISMATCH = 7, INSTALL_UNKNOWN_OP = 8,
  INSTALL_STORE_ERROR = 9, INSTALL_HASH_ERROR = 10,
  /* FETCH (spore-hal.h) */
  INSTALL_FETCH_BUSY = 11, INSTALL_SPECIES_HELD = 12, INSTALL_NO_KERNEL = 13, INSTALL_NO_FREE_SLOT = 14,
  INSTALL_KERNEL_REFUSED = 15,
};

/* What INFO reports; the platform sets these. */
extern uint32_t install_node;
extern uint8_t install_kernel_running;

/* Handles one install request; returns the reply's length in `reply` (at most `cap`), and sets
 * *reboot when the platform must reset after sending it. */
size_t install_handle(const uint8_t *req, size_t len, uint8_t *reply, size_t cap, int *reboot);
/* install_handle, then frames the reply onto the serial link, then resets if asked. */
void install_on_frame(const uint8_t *req, size_t len);

#endif
