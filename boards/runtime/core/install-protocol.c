/* install-protocol.h. Chunks are taken in order (offset == bytes received so far); COMMIT reads
 * the slot back from the store, hashes it (module-hash.c) and writes the directory entry only when
 * size and SHA-256 are the ones the host expects. */
#include "install-protocol.h"
#include "module-hash.h"
#include "module-store.h"
#include "platform.h"
#include "serial-framing.h"
#include "spore-hal.h"
#include "runtime.h"
#include <string.h>

uint32_t install_node;
uint8_t install_kernel_running;

static struct {
  int slot; /* -1: nothing begun */
  uint32_t species, size, received;
} pending = { -1, 0, 0, 0 };

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

size_t install_handle(const uint8_t *req, size_t len, uint8_t *reply, size_t cap, int *reboot) {
  *reboot = 0;
  if (cap < 3 + 1 + STORE_SLOTS * 41) return 0;
  uint8_t op = len >= 2 ? req[1] : 0;
  reply[0] = INSTALL_MAGIC;
  reply[1] = (uint8_t)(op | 0x80);
  uint8_t *status = &reply[2];
  size_t n = 3;
  const uint8_t *a = req + 2;
  size_t alen = len >= 2 ? len - 2 : 0;
  *status = INSTALL_OK;
  if (len < 2 || req[0] != INSTALL_MAGIC) { *status = INSTALL_MALFORMED; return n; }
  switch (op) {
  case INSTALL_BEGIN: { /* slot u8, species u32, size u32 */
    if (alen != 9) { *status = INSTALL_MALFORMED; break; }
    int slot = a[0];
    uint32_t size = get32(a + 5);
    if (slot >= STORE_SLOTS) { *status = INSTALL_BAD_SLOT; break; }
    if (size == 0 || size > store_slot_bytes()) { *status = INSTALL_TOO_LARGE; break; }
    if (spore_slot_busy(slot)) { *status = INSTALL_FETCH_BUSY; break; }
    spore_forget_slot(slot);
    if (store_clear(slot)) { *status = INSTALL_STORE_ERROR; break; }
    pending.slot = slot;
    pending.species = get32(a + 1);
    pending.size = size;
    pending.received = 0;
    put32(reply + n, store_slot_bytes()); n += 4;
    break;
  }
  case INSTALL_CHUNK: { /* slot u8, offset u32, bytes */
    if (alen < 5 || alen - 5 > INSTALL_MAX_CHUNK) { *status = INSTALL_MALFORMED; break; }
    uint32_t off = get32(a + 1), bytes = (uint32_t)(alen - 5);
    if (pending.slot < 0 || pending.slot != a[0]) { *status = INSTALL_NOT_BEGUN; break; }
    if (off != pending.received || off + bytes > pending.size) { *status = INSTALL_BAD_OFFSET; put32(reply + n, pending.received); n += 4; break; }
    if (platform_store_write(store_slot_offset(pending.slot) + off, a + 5, bytes)) { *status = INSTALL_STORE_ERROR; break; }
    pending.received += bytes;
    put32(reply + n, pending.received); n += 4;
    break;
  }
  case INSTALL_COMMIT: { /* slot u8, size u32, sha256[32] */
    if (alen != 37) { *status = INSTALL_MALFORMED; break; }
    if (pending.slot < 0 || pending.slot != a[0]) { *status = INSTALL_NOT_BEGUN; break; }
    int slot = pending.slot;
    pending.slot = -1;
    if (get32(a + 1) != pending.size || pending.received != pending.size) { *status = INSTALL_SIZE_MISMATCH; break; }
    store_entry e = { .species = pending.species, .size = pending.size };
    const char *err = module_hash_store(store_slot_offset(slot), e.size, e.sha256);
    if (err) { platform_log(3, err, strlen(err)); *status = INSTALL_HASH_ERROR; break; }
    memcpy(reply + n, e.sha256, 32); n += 32;
    if (memcmp(e.sha256, a + 5, 32)) { *status = INSTALL_HASH_MISMATCH; break; }
    if (store_put(slot, &e)) { *status = INSTALL_STORE_ERROR; break; }
    if (slot > 0) spore_tree_build(slot); /* so the board serves it as a spore; without one it still runs */
    break;
  }
  case INSTALL_ERASE: /* slot u8 */
    if (alen != 1) { *status = INSTALL_MALFORMED; break; }
    if (a[0] >= STORE_SLOTS) { *status = INSTALL_BAD_SLOT; break; }
    if (spore_slot_busy(a[0])) { *status = INSTALL_FETCH_BUSY; break; }
    spore_forget_slot(a[0]);
    if (pending.slot == a[0]) pending.slot = -1;
    if (store_clear(a[0])) *status = INSTALL_STORE_ERROR;
    break;
  case INSTALL_LIST: { /* count u8, then per module: slot u8, species u32, size u32, sha256[32] */
    if (alen != 0) { *status = INSTALL_MALFORMED; break; }
    uint8_t *count = reply + n++;
    *count = 0;
    for (int s = 0; s < STORE_SLOTS; s++) {
      store_entry e;
      if (!store_get(s, &e)) continue;
      reply[n] = (uint8_t)s;
      put32(reply + n + 1, e.species);
      put32(reply + n + 5, e.size);
      memcpy(reply + n + 9, e.sha256, 32);
      n += 41;
      (*count)++;
    }
    break;
  }
  case INSTALL_INFO: { /* node u32, free RAM u32 (0xFFFFFFFF: unknown), store bytes u32, slot bytes u32, kernel running u8 */
    if (alen != 0) { *status = INSTALL_MALFORMED; break; }
    int64_t free_ram = platform_free_ram();
    put32(reply + n, install_node);
    put32(reply + n + 4, free_ram < 0 || free_ram > 0xFFFFFFFE ? 0xFFFFFFFFu : (uint32_t)free_ram);
    put32(reply + n + 8, platform_store_size());
    put32(reply + n + 12, store_slot_bytes());
    reply[n + 16] = install_kernel_running;
    n += 17;
    break;
  }
  case INSTALL_FETCH: { /* species u32, size u32, hash[32], root[32], holder u32 -> slot u8, chunks resumed u32 */
    if (alen != 76) { *status = INSTALL_MALFORMED; break; }
    uint8_t slot = 0;
    uint32_t resumed = 0;
    *status = (uint8_t)spore_fetch_begin(get32(a), get32(a + 4), a + 8, a + 40, get32(a + 72), &slot, &resumed);
    if (*status != INSTALL_OK) break;
    reply[n] = slot;
    put32(reply + n + 1, resumed);
    n += 5;
    break;
  }
  case INSTALL_FETCH_STATUS: { /* -> state u8, why u8, slot u8, held u32, total u32, chunks rx u32, bad chunks u32, sha256[32] */
    if (alen != 0) { *status = INSTALL_MALFORMED; break; }
    spore_fetch_status st;
    int32_t rx = 0, bad = 0;
    spore_fetch_report(&st);
    /* The kernel's own counters: chunks it verified, chunks whose proof failed. */
    if (install_kernel_running) {
      board_k_i32("k_stat", 1, SPORE_STAT_CHUNKS_RX, 0, 0, &rx);
      board_k_i32("k_stat", 1, SPORE_STAT_BAD_CHUNKS, 0, 0, &bad);
    }
    reply[n] = st.state; reply[n + 1] = st.why; reply[n + 2] = st.slot;
    put32(reply + n + 3, st.held);
    put32(reply + n + 7, st.total);
    put32(reply + n + 11, (uint32_t)rx);
    put32(reply + n + 15, (uint32_t)bad);
    memcpy(reply + n + 19, st.sha256, 32);
    n += 51;
    break;
  }
  case INSTALL_REBOOT:
    if (alen != 0) { *status = INSTALL_MALFORMED; break; }
    *reboot = 1;
    break;
  default:
    *status = INSTALL_UNKNOWN_OP;
  }
  return n;
}

void install_on_frame(const uint8_t *req, size_t len) {
  static uint8_t reply[3 + 1 + STORE_SLOTS * 41];
  static uint8_t out[SERIAL_COBS_MAX(sizeof reply + SERIAL_CRC_BYTES) + 2];
  int reboot;
  size_t n = install_handle(req, len, reply, sizeof reply, &reboot);
  size_t w = serial_encode(reply, n, out, sizeof out);
  if (w) platform_serial_write(out, w);
  if (reboot) platform_reset();
}
