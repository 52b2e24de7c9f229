#include "store-boot.h"
#include "install-protocol.h"
#include "module-hash.h"
#include "module-store.h"
#include "cell-store.h"
#include "platform.h"
#include "spore-hal.h"
#include <stdio.h>
#include <string.h>

int store_kernel_running;
uint32_t store_frames_without_kernel;

static void logf_(const char *fmt, int slot, const char *what) {
  char line[160];
  int n = snprintf(line, sizeof line, fmt, slot, what);
  platform_log(3, line, n < 0 ? 0 : (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
}

static const uint8_t *load(int slot, store_entry *e, store_map_fn map) {
  uint8_t sum[32];
  const char *err;
  if (!store_get(slot, e)) return NULL;
  if ((err = module_hash_store(store_slot_offset(slot), e->size, sum)) || memcmp(sum, e->sha256, 32)) {
    logf_("slot %d not run: %s", slot, err ? err : "its SHA-256 differs from the one committed");
    return NULL;
  }
  const uint8_t *b = map(slot, store_slot_offset(slot), e->size);
  if (!b) logf_("slot %d not run: %s", slot, "cannot map it");
  return b;
}

static store_map_fn store_map;

const uint8_t *store_map_module(int slot, uint32_t offset, uint32_t size) {
  return store_map ? store_map(slot, offset, size) : NULL;
}

int store_boot(uint32_t node, const board_options *opts, double now, store_map_fn map) {
  store_entry e[STORE_SLOTS];
  store_map = map;
  const uint8_t *bytes[STORE_SLOTS];
  const char *err;
  install_node = node;
  char note[200];
  int level = cell_store_open(note, sizeof note);
  platform_log(level, note, strlen(note));
  /* Every stored module is hashed before anything is instantiated: each hash opens and frees its
   * own wasm3 environment and 64 KiB page, so its heap is reused by the kernel and cells after it
   * instead of being taken on top of them (docs/boards.md, RAM). */
  for (int s = 0; s < STORE_SLOTS; s++) bytes[s] = load(s, &e[s], map);
  if (!bytes[0]) { logf_("slot %d: %s", 0, "no kernel stored; waiting for install frames"); return 0; }
  if ((err = board_start(bytes[0], e[0].size, opts))) { logf_("slot %d: kernel: %s", 0, err); return 0; }
  for (int s = 1; s < STORE_SLOTS; s++) {
    if (!bytes[s]) continue;
    int slot = board_add_cell(bytes[s], e[s].size, &err);
    int32_t r;
    if (slot < 0) { logf_("slot %d: cell: %s", s, err); continue; }
    if ((err = board_host(slot, e[s].species, &r)) || r != 0) { logf_("slot %d: k_host: %s", s, err ? err : "the kernel's cell table is full"); return 0; }
  }
  if ((err = board_k_init(node, now))) { logf_("slot %d: k_init: %s", 0, err); return 0; }
  store_kernel_running = install_kernel_running = 1;
  return 1;
}

const char *store_on_frame(const uint8_t *frame, size_t len) {
  int32_t r;
  if (len > 0 && frame[0] == INSTALL_MAGIC) { install_on_frame(frame, len); return NULL; }
  if (!store_kernel_running) { store_frames_without_kernel++; return NULL; }
  const char *err = board_on_frame(frame, len, &r);
  /* A spore fetch the frame completed is committed and hosted now, outside the kernel's call. */
  if (!err) spore_hal_poll();
  return err;
}
