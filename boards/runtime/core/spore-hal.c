/* spore-hal.h. One fetch at a time. Its state in RAM is the table below (about 190 bytes): the
 * module's bytes go straight from the kernel's frame buffer into the slot's flash area. */
#include "spore-hal.h"
#include "install-protocol.h"
#include "module-hash.h"
#include "module-store.h"
#include "platform.h"
#include "runtime.h"
#include "store-boot.h"
#include <stdio.h>
#include <string.h>

#define TREE_MAGIC 0x31544353u /* "SCT1": entry bytes 44..51 say a slot's chunk tree is written */

static struct {
  uint8_t state, why;
  int8_t slot;      /* store slot being filled, -1 none */
  int8_t handle;    /* the kernel's fetch handle, -1 none */
  int8_t ended;     /* hal.spore_done came with FETCH_OK: spore_hal_poll commits */
  uint32_t species, size, chunks, held;
  uint8_t hash[32], root[32], sha256[32];
  uint8_t bitmap[SPORE_BOARD_MAX_CHUNKS / 8]; /* chunks written to the slot (kept for a resumed fetch) */
} f = { .slot = -1, .handle = -1 };

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void log_line(int level, const char *what, const char *detail) {
  char line[160];
  int n = snprintf(line, sizeof line, "spore: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
  platform_log(level, line, n < 0 ? 0 : (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
}

/* ---- the chunk tree in flash (docs/spores.md, Chunks) ------------------------------------ */

static uint32_t chunks_of(uint32_t size) { return (size + SPORE_CHUNK - 1) / SPORE_CHUNK; }

/* Bytes of chunk i of a `size`-byte module in n chunks: every chunk but the last is full. */
static uint32_t chunk_len(uint32_t size, uint32_t n, uint32_t i) { return i < n - 1 ? SPORE_CHUNK : size - (n - 1) * SPORE_CHUNK; }

/* Nodes of every level, leaves first: each level's odd last node is promoted, so it is stored again. */
static uint32_t tree_nodes(uint32_t n) {
  uint32_t total = 0;
  for (uint32_t w = n; ; w = (w + 1) / 2) { total += w; if (w == 1) break; }
  return total;
}

static uint32_t tree_offset(int slot, uint32_t size) { return store_slot_offset(slot) + ((size + 3u) & ~3u); }

/* Whether a module of `size` bytes and its tree fit one slot. */
static int fits(uint32_t size) {
  return size > 0 && chunks_of(size) <= SPORE_BOARD_MAX_CHUNKS && (uint64_t)((size + 3u) & ~3u) + (uint64_t)tree_nodes(chunks_of(size)) * 32 <= store_slot_bytes();
}

int spore_tree_build(int slot) {
  store_entry e;
  uint8_t node[65], a[32];
  if (slot < 1 || slot >= STORE_SLOTS || !store_get(slot, &e) || !fits(e.size)) return -1;
  uint32_t n = chunks_of(e.size), base = tree_offset(slot, e.size), at = 0;
  int held = module_hash_is_held();
  const char *err = held ? NULL : module_hash_hold();
  for (uint32_t i = 0; !err && i < n; i++) {
    uint32_t len = chunk_len(e.size, n, i);
    if (!(err = module_hash_store_prefixed(0x00, store_slot_offset(slot) + i * SPORE_CHUNK, len, a)) && platform_store_write(base + i * 32, a, 32)) err = "cannot write the store";
  }
  node[0] = 0x01;
  for (uint32_t w = n; !err && w > 1; at += w, w = (w + 1) / 2) {
    uint32_t up = at + w;
    for (uint32_t i = 0; !err && i < w; i += 2) {
      if (i + 1 == w) { /* promoted unchanged */
        if (platform_store_read(base + (at + i) * 32, a, 32) || platform_store_write(base + (up + i / 2) * 32, a, 32)) err = "cannot write the store";
        break;
      }
      if (platform_store_read(base + (at + i) * 32, node + 1, 64)) { err = "cannot read the store"; break; }
      if (!(err = module_hash_bytes(node, 65, a)) && platform_store_write(base + (up + i / 2) * 32, a, 32)) err = "cannot write the store";
    }
  }
  if (!held) module_hash_release();
  if (err) { log_line(3, "chunk tree not written", err); return -1; }
  uint8_t mark[8];
  put32(mark, TREE_MAGIC);
  memcpy(mark + 4, e.sha256, 4);
  return platform_store_write((uint32_t)slot * STORE_ENTRY_BYTES + 44, mark, 8) ? -1 : 0;
}

/* A committed slot whose tree was written for the module it holds now. */
static int tree_ok(int slot, const store_entry *e) {
  uint8_t mark[8];
  if (platform_store_read((uint32_t)slot * STORE_ENTRY_BYTES + 44, mark, 8)) return 0;
  return get32(mark) == TREE_MAGIC && memcmp(mark + 4, e->sha256, 4) == 0 && fits(e->size);
}

/* ---- serving ---------------------------------------------------------------------------- */

int32_t spore_hal_get(const uint8_t hash[32], int32_t index, uint8_t *out, uint32_t cap) {
  store_entry e;
  for (int s = 1; s < STORE_SLOTS; s++) {
    if (!store_get(s, &e) || memcmp(e.sha256, hash, 32) || !tree_ok(s, &e)) continue;
    uint32_t n = chunks_of(e.size);
    if (index < 0 || (uint32_t)index >= n) return -1;
    uint32_t i = (uint32_t)index, len = chunk_len(e.size, n, i);
    uint32_t base = tree_offset(s, e.size), at = 0, proof = 0;
    for (uint32_t w = n, idx = i; w > 1; at += w, w = (w + 1) / 2, idx >>= 1) {
      if (!(idx == w - 1 && (w & 1))) proof += 32;
    }
    if (len + proof > cap) return -1;
    if (platform_store_read(store_slot_offset(s) + i * SPORE_CHUNK, out, len)) return -1;
    uint8_t *p = out + len;
    at = 0;
    for (uint32_t w = n, idx = i; w > 1; at += w, w = (w + 1) / 2, idx >>= 1) {
      if (idx == w - 1 && (w & 1)) continue;
      if (platform_store_read(base + (at + (idx ^ 1u)) * 32, p, 32)) return -1;
      p += 32;
    }
    return (int32_t)(len | proof << 16);
  }
  return -1;
}

/* ---- fetching --------------------------------------------------------------------------- */

const char *spore_hal_hash(const uint8_t *data, uint32_t len, uint8_t out[32]) {
  return module_hash_bytes(data, len, out);
}

static int has(uint32_t i) { return (f.bitmap[i >> 3] >> (i & 7)) & 1; }

int spore_fetch_begin(uint32_t species, uint32_t size, const uint8_t hash[32], const uint8_t root[32], uint32_t holder, uint8_t *slot_out, uint32_t *resumed) {
  store_entry e;
  int32_t h, r;
  uint32_t cap;
  *resumed = 0;
  if (!store_kernel_running) return INSTALL_NO_KERNEL;
  if (f.state == SPORE_RUNNING || f.ended) return INSTALL_FETCH_BUSY;
  if (!fits(size)) return INSTALL_TOO_LARGE;
  /* A species once per board: two slots of one species would both be hosted at start-up. */
  for (int s = 1; s < STORE_SLOTS; s++) if (store_get(s, &e) && e.species == species) return INSTALL_SPECIES_HELD;
  /* The same module as the last fetch, which failed: its chunks are in its slot still. */
  int same = f.slot > 0 && f.size == size && memcmp(f.hash, hash, 32) == 0 && memcmp(f.root, root, 32) == 0 && !store_get(f.slot, &e);
  int slot = same ? f.slot : -1;
  for (int s = 1; slot < 0 && s < STORE_SLOTS; s++) if (!store_get(s, &e)) slot = s;
  if (slot < 0) return INSTALL_NO_FREE_SLOT;
  if (store_clear(slot)) return INSTALL_STORE_ERROR;
  if (!same) {
    memset(f.bitmap, 0, sizeof f.bitmap);
    f.held = 0;
  }
  uint8_t *buf = board_k_buf(&cap);
  if (!buf || cap < 64) return INSTALL_KERNEL_REFUSED;
  /* The hasher stays open for the whole fetch: the kernel hashes every chunk and proof step. */
  const char *err = module_hash_hold();
  if (err) { log_line(3, "cannot open the hasher", err); return INSTALL_HASH_ERROR; }
  /* A board verifies each chunk under wasm3 (millions of M4 instructions): with the kernel's
   * default window of 8, a QEMU board timed out three requests in a row and gave its only holder
   * up, likely because answers queue behind the verifier (docs/boards.md, Window). */
  board_k_config(SPORE_CONFIG_WINDOW, SPORE_BOARD_WINDOW, &r);
  memcpy(buf, hash, 32);
  memcpy(buf + 32, root, 32);
  if (board_k_i32("k_fetch", 2, (int32_t)species, (int32_t)size, 0, &h) || h < 0) { module_hash_release(); return INSTALL_KERNEL_REFUSED; }
  f.state = SPORE_RUNNING;
  f.why = SPORE_WHY_NONE;
  f.slot = (int8_t)slot;
  f.handle = (int8_t)h;
  f.ended = 0;
  f.species = species;
  f.size = size;
  f.chunks = chunks_of(size);
  memcpy(f.hash, hash, 32);
  memcpy(f.root, root, 32);
  memset(f.sha256, 0, 32);
  board_k_i32("k_fetch_hint", 2, h, (int32_t)holder, 0, &r);
  for (uint32_t i = 0; i < f.chunks; i++) if (has(i)) board_k_i32("k_fetch_have", 2, h, (int32_t)i, 0, &r);
  *resumed = f.held;
  *slot_out = (uint8_t)slot;
  board_k_i32("k_fetch_go", 1, h, 0, 0, &r); /* hal.spore_done may come at once (every chunk held) */
  spore_hal_poll();
  return INSTALL_OK;
}

void spore_hal_put(int32_t handle, int32_t index, const uint8_t *chunk, uint32_t len) {
  if (f.state != SPORE_RUNNING || handle != f.handle || index < 0 || (uint32_t)index >= f.chunks || has((uint32_t)index)) return;
  /* The kernel checked the chunk against the root: it goes to flash at once. */
  if (platform_store_write(store_slot_offset(f.slot) + (uint32_t)index * SPORE_CHUNK, chunk, len)) {
    f.why = SPORE_WHY_STORE_ERROR; /* reported when the fetch ends; the chunk stays missing */
    return;
  }
  f.bitmap[index >> 3] |= (uint8_t)(1u << (index & 7));
  f.held++;
}

void spore_hal_done(int32_t handle, int32_t status) {
  if (f.state != SPORE_RUNNING || handle != f.handle) return;
  f.handle = -1;
  if (status == SPORE_FETCH_OK && f.held == f.chunks && f.why == SPORE_WHY_NONE) { f.ended = 1; return; }
  /* Nothing is committed: the slot stays empty, its chunks kept for a fetch of the same module. */
  module_hash_release();
  f.state = SPORE_FAILED;
  if (f.why == SPORE_WHY_NONE) f.why = SPORE_WHY_NO_HOLDER;
  log_line(2, "fetch failed", f.why == SPORE_WHY_STORE_ERROR ? "the store refused a chunk" : "no holder left");
}

static void fail(uint8_t why, const char *detail) {
  module_hash_release();
  f.state = SPORE_FAILED;
  f.why = why;
  log_line(3, "fetched module not installed", detail);
}

void spore_hal_poll(void) {
  store_entry e;
  const char *err;
  int32_t r;
  if (!f.ended) return;
  f.ended = 0;
  uint32_t at = store_slot_offset(f.slot);
  /* Every chunk verified against the root; the whole module's SHA-256 is checked before anything runs. */
  if ((err = module_hash_store(at, f.size, f.sha256))) { fail(SPORE_WHY_HASH_ERROR, err); return; }
  if (memcmp(f.sha256, f.hash, 32)) {
    memset(f.bitmap, 0, sizeof f.bitmap); /* these bytes are not the module: start over next time */
    f.held = 0;
    fail(SPORE_WHY_HASH_MISMATCH, "its SHA-256 is not the one asked for");
    return;
  }
  e.species = f.species;
  e.size = f.size;
  memcpy(e.sha256, f.sha256, 32);
  if (store_put(f.slot, &e)) { fail(SPORE_WHY_STORE_ERROR, "cannot write the directory entry"); return; }
  spore_tree_build(f.slot); /* a slot without a tree is still run, only not served */
  /* The hasher's heap is freed before the cell's runtime is made, so the two never add up. */
  module_hash_release();
  memset(f.bitmap, 0, sizeof f.bitmap);
  f.held = f.chunks;
  const uint8_t *bytes = store_map_module(f.slot, at, f.size);
  int slot = bytes ? board_add_cell(bytes, f.size, &err) : -1;
  if (!bytes) err = "cannot map it";
  if (slot < 0) { store_clear(f.slot); fail(SPORE_WHY_CELL_LOAD, err); return; } /* not run at start-up either */
  if ((err = board_host(slot, f.species, &r)) || r != 0) { fail(SPORE_WHY_KERNEL_HOST, err ? err : "the kernel's cell table is full"); return; }
  f.state = SPORE_DONE;
  log_line(1, "module fetched, stored and hosted", NULL);
}

int spore_slot_busy(int slot) {
  return slot == f.slot && (f.state == SPORE_RUNNING || f.ended);
}

void spore_forget_slot(int slot) {
  if (slot != f.slot || spore_slot_busy(slot)) return;
  /* Its chunks are about to be overwritten: a later fetch of that module starts over. */
  memset(f.bitmap, 0, sizeof f.bitmap);
  f.held = 0;
  f.slot = -1;
}

void spore_fetch_report(spore_fetch_status *s) {
  s->state = f.ended ? SPORE_RUNNING : f.state;
  s->why = f.why;
  s->slot = f.slot < 0 ? 0 : (uint8_t)f.slot;
  s->held = f.held;
  s->total = f.chunks;
  memcpy(s->sha256, f.state == SPORE_DONE ? f.sha256 : (const uint8_t[32]){ 0 }, 32);
}
