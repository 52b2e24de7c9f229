/* The module store's directory and slot areas over platform_store_read/write (module-store.h). */
#include "module-store.h"
#include <string.h>

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

uint32_t store_slot_bytes(void) {
  uint32_t size = platform_store_size();
  if (size <= STORE_DIR_BYTES) return 0;
  return ((size - STORE_DIR_BYTES) / STORE_SLOTS) & ~4095u;
}

uint32_t store_slot_offset(int slot) { return STORE_DIR_BYTES + (uint32_t)slot * store_slot_bytes(); }

int store_get(int slot, store_entry *e) {
  uint8_t b[44];
  if (slot < 0 || slot >= STORE_SLOTS) return 0;
  if (platform_store_read((uint32_t)slot * STORE_ENTRY_BYTES, b, sizeof b)) return 0;
  if (get32(b) != STORE_ENTRY_MAGIC) return 0;
  e->species = get32(b + 4);
  e->size = get32(b + 8);
  memcpy(e->sha256, b + 12, 32);
  if (e->size == 0 || e->size > store_slot_bytes()) return 0;
  return 1;
}

int store_clear(int slot) {
  static const uint8_t zero[4] = { 0, 0, 0, 0 };
  return platform_store_write((uint32_t)slot * STORE_ENTRY_BYTES, zero, sizeof zero);
}

int store_put(int slot, const store_entry *e) {
  uint8_t b[44];
  put32(b + 4, e->species);
  put32(b + 8, e->size);
  memcpy(b + 12, e->sha256, 32);
  /* The magic last: a reset half-way leaves the slot empty, not half-described. */
  if (platform_store_write((uint32_t)slot * STORE_ENTRY_BYTES + 4, b + 4, 40)) return -1;
  put32(b, STORE_ENTRY_MAGIC);
  return platform_store_write((uint32_t)slot * STORE_ENTRY_BYTES, b, 4);
}
