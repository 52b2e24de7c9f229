/* The cell store's HAL imports under wasm3 (cell-store-hal.h): pointer checks and trap texts are
 * the host's (cell-instance.ts `range` and `give`), so a board answers a misbehaving cell with
 * the same ERROR payload as V8. */
#include "cell-store-hal.h"
#include "cell-store.h"
#include <stdint.h>
#include <stdio.h>

static char fault[160];

static const char *outside(uint32_t mem_bytes, const char *what, uint32_t ptr, uint32_t len) {
  snprintf(fault, sizeof fault, "hal.%s range %u+%u is outside the cell's %u-byte memory", what, (unsigned)ptr, (unsigned)len, (unsigned)mem_bytes);
  return fault;
}

/* The host runs a cell's start function before it holds the instance's memory: a store import
 * called then is a fault there, and here (no call of the slot is running). */
static const char *starting(const char *what) {
  snprintf(fault, sizeof fault, "hal.%s called while the cell was starting", what);
  return fault;
}

static int in_memory(uint32_t size, uint32_t ptr, uint32_t len) { return (uint64_t)ptr + len <= size; }

#define SLOT ((int)(intptr_t)_ctx->userdata)
#define PROLOGUE(what)                                                  \
  int slot = SLOT;                                                      \
  uint32_t size = 0;                                                    \
  uint8_t *mem = m3_GetMemory(runtime, &size, 0);                       \
  if (cell_store_active_slot() != slot || !mem) m3ApiTrap(starting(what));

typedef int32_t (*store_lookup)(int slot, const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_cap);

/* store_get and store_next: a key in, a value (or the next key) out if it fits, its length either
 * way (-1: none). Returns the trap text, or NULL with the result in *r. */
static const char *lookup(IM3Runtime runtime, int slot, const char *what, store_lookup fn, uint32_t kp, uint32_t kl, uint32_t op, uint32_t oc, int32_t *r) {
  uint32_t size = 0;
  uint8_t *mem = m3_GetMemory(runtime, &size, 0);
  if (cell_store_active_slot() != slot || !mem) return starting(what);
  if (!in_memory(size, kp, kl)) return outside(size, what, kp, kl);
  int out_ok = in_memory(size, op, oc);
  *r = fn(slot, mem + kp, kl, out_ok ? mem + op : NULL, oc);
  if (*r >= 0 && !out_ok) return outside(size, what, op, oc);
  return NULL;
}

/* One import per lookup: the arguments in, lookup(), its trap or its result out. */
#define LOOKUP_IMPORT(name, what, fn)                                                        \
  static m3ApiRawFunction(name) {                                                            \
    m3ApiReturnType(int32_t)                                                                 \
    m3ApiGetArg(uint32_t, kp) m3ApiGetArg(uint32_t, kl) m3ApiGetArg(uint32_t, op) m3ApiGetArg(uint32_t, oc) \
    int32_t r = -1;                                                                          \
    const char *trap = lookup(runtime, SLOT, what, fn, kp, kl, op, oc, &r);                  \
    if (trap) m3ApiTrap(trap);                                                               \
    m3ApiReturn(r);                                                                          \
  }

LOOKUP_IMPORT(hal_store_get, "store_get", cell_store_get)
LOOKUP_IMPORT(hal_store_next, "store_next", cell_store_next)

static m3ApiRawFunction(hal_store_put) {
  m3ApiReturnType(int32_t)
  m3ApiGetArg(uint32_t, kp) m3ApiGetArg(uint32_t, kl) m3ApiGetArg(uint32_t, vp) m3ApiGetArg(uint32_t, vl)
  PROLOGUE("store_put")
  if (!in_memory(size, kp, kl)) m3ApiTrap(outside(size, "store_put", kp, kl));
  if (!in_memory(size, vp, vl)) m3ApiTrap(outside(size, "store_put", vp, vl));
  m3ApiReturn(cell_store_put(slot, mem + kp, kl, mem + vp, vl));
}

static m3ApiRawFunction(hal_store_del) {
  m3ApiReturnType(int32_t)
  m3ApiGetArg(uint32_t, kp) m3ApiGetArg(uint32_t, kl)
  PROLOGUE("store_del")
  if (!in_memory(size, kp, kl)) m3ApiTrap(outside(size, "store_del", kp, kl));
  int32_t r = cell_store_del(slot, mem + kp, kl);
  if (r < 0) {
    /* A board limit the host does not have (docs/boards.md): the delete cannot be staged. */
    snprintf(fault, sizeof fault, "hal.store_del: this call's writes exceed the board's %u-byte staging buffer", (unsigned)CELL_STORE_STAGE_BYTES);
    m3ApiTrap(fault);
  }
  m3ApiReturn(r);
}

M3Result cell_store_link(IM3Module mod, int slot) {
  static const struct { const char *name, *sig; M3RawCall fn; } imports[] = {
    { "store_get", "i(iiii)", hal_store_get }, { "store_put", "i(iiii)", hal_store_put },
    { "store_del", "i(ii)", hal_store_del }, { "store_next", "i(iiii)", hal_store_next },
  };
  for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++) {
    M3Result r = m3_LinkRawFunctionEx(mod, "hal", imports[i].name, imports[i].sig, imports[i].fn, (const void *)(intptr_t)slot);
    if (r && r != m3Err_functionLookupFailed) return r;
  }
  return m3Err_none;
}
