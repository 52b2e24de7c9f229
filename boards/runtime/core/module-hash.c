/* module-hash.h: @chainsafe/as-sha256 under wasm3. Exports used: init(), update(ptr, len),
 * final(outPtr), and the globals `input` (a 512-byte buffer) and `output` (32 bytes), which the
 * module's start function allocates. */
#include "module-hash.h"
#include "module-store.h"
#include "platform.h"
#include "wasm3.h"
#include "m3_env.h"
#include <string.h>

static const uint8_t *hasher_wasm;
static size_t hasher_len;

void module_hash_use(const uint8_t *wasm, size_t len) {
  hasher_wasm = wasm;
  hasher_len = len;
}

static m3ApiRawFunction(hasher_abort) {
  m3ApiTrap("sha256 module aborted");
}

typedef struct {
  IM3Environment env;
  IM3Runtime rt;
  IM3Function update, final;
  uint32_t input, output;
} hasher;

static void hasher_free(hasher *h) {
  if (h->rt) m3_FreeRuntime(h->rt);
  if (h->env) m3_FreeEnvironment(h->env);
}

static const char *global_u32(IM3Module mod, const char *name, uint32_t *out) {
  IM3Global g = m3_FindGlobal(mod, name);
  M3TaggedValue v;
  if (!g) return "sha256 module: a global is missing";
  if (m3_GetGlobal(g, &v) || v.type != c_m3Type_i32) return "sha256 module: a global is not i32";
  *out = v.value.i32;
  return NULL;
}

static const char *hasher_open(hasher *h) {
  IM3Module mod;
  IM3Function init;
  M3Result r;
  memset(h, 0, sizeof *h);
  if (!hasher_wasm) return "no sha256 module on this board";
  if (!(h->env = m3_NewEnvironment())) return "no memory for the sha256 environment";
  if (!(h->rt = m3_NewRuntime(h->env, 1024, NULL))) return "no memory for the sha256 runtime";
  h->rt->stackLimit = platform_native_stack_limit();
  /* The module's allocator (AssemblyScript TLSF, run by its start function) writes at the end of
   * its one 64 KiB page, so the page is needed whole: capping it lower traps (docs/boards.md). */
  h->rt->memoryLimit = MODULE_HASH_MEMORY;
  if ((r = m3_ParseModule(h->env, &mod, hasher_wasm, (uint32_t)hasher_len))) return r;
  if ((r = m3_LoadModule(h->rt, mod))) { m3_FreeModule(mod); return r; }
  if ((r = m3_LinkRawFunction(mod, "env", "abort", "v(iiii)", hasher_abort)) && r != m3Err_functionLookupFailed) return r;
  if ((r = m3_RunStart(mod))) return r;
  if ((r = global_u32(mod, "input", &h->input)) || (r = global_u32(mod, "output", &h->output))) return r;
  if ((r = m3_FindFunction(&init, h->rt, "init"))) return r;
  if ((r = m3_FindFunction(&h->update, h->rt, "update"))) return r;
  if ((r = m3_FindFunction(&h->final, h->rt, "final"))) return r;
  uint32_t size = 0;
  m3_GetMemory(h->rt, &size, 0);
  if (h->input + 512 > size || h->output + 32 > size) return "sha256 module: buffers outside its memory";
  return m3_CallV(init);
}

/* `read` fills up to 512 bytes at `at`; the hasher's input buffer is the destination. */
typedef int (*chunk_fn)(const void *ctx, uint32_t at, uint8_t *out, uint32_t len);

/* The hasher kept open between module_hash_hold and module_hash_release (a spore fetch: the
 * kernel's hal.hash runs for every chunk and proof step, and opening one costs about 1.15 million
 * emulated M4 instructions). held.rt is NULL while none is held. */
static hasher held;
static IM3Function held_init;

const char *module_hash_hold(void) {
  if (held.rt) return NULL;
  const char *err = hasher_open(&held);
  if (!err) err = m3_FindFunction(&held_init, held.rt, "init");
  if (err) { hasher_free(&held); memset(&held, 0, sizeof held); }
  return err;
}

void module_hash_release(void) {
  if (!held.rt) return;
  hasher_free(&held);
  memset(&held, 0, sizeof held);
}

int module_hash_is_held(void) { return held.rt != NULL; }

static const char *hash_chunks(chunk_fn read, const void *ctx, uint32_t len, uint8_t out[32]) {
  hasher own;
  hasher *h = &held;
  const char *err = NULL;
  if (held.rt) err = m3_CallV(held_init); /* as-sha256's init() starts a new digest */
  else { h = &own; err = hasher_open(&own); }
  for (uint32_t at = 0; !err && at < len; at += 512) {
    uint32_t n = len - at < 512 ? len - at : 512;
    uint8_t *mem = m3_GetMemory(h->rt, NULL, 0);
    if (read(ctx, at, mem + h->input, n)) err = "cannot read the store";
    else err = m3_CallV(h->update, h->input, n);
  }
  if (!err && !(err = m3_CallV(h->final, h->output))) memcpy(out, m3_GetMemory(h->rt, NULL, 0) + h->output, 32);
  if (h == &own) hasher_free(&own);
  else if (err) module_hash_release(); /* a trapped hasher is not used again */
  return err;
}

static int read_store(const void *ctx, uint32_t at, uint8_t *out, uint32_t len) {
  return platform_store_read(*(const uint32_t *)ctx + at, out, len);
}

static int read_bytes(const void *ctx, uint32_t at, uint8_t *out, uint32_t len) {
  memcpy(out, (const uint8_t *)ctx + at, len);
  return 0;
}

const char *module_hash_store(uint32_t offset, uint32_t len, uint8_t out[32]) {
  return hash_chunks(read_store, &offset, len, out);
}

typedef struct { uint8_t prefix; uint32_t offset; } prefixed;

/* Byte 0 is the prefix, then the store's bytes. */
static int read_prefixed(const void *ctx, uint32_t at, uint8_t *out, uint32_t len) {
  const prefixed *p = (const prefixed *)ctx;
  if (at == 0) {
    out[0] = p->prefix;
    return len > 1 ? platform_store_read(p->offset, out + 1, len - 1) : 0;
  }
  return platform_store_read(p->offset + at - 1, out, len);
}

const char *module_hash_store_prefixed(uint8_t prefix, uint32_t offset, uint32_t len, uint8_t out[32]) {
  prefixed p = { prefix, offset };
  return hash_chunks(read_prefixed, &p, len + 1, out);
}

const char *module_hash_bytes(const uint8_t *bytes, uint32_t len, uint8_t out[32]) {
  return hash_chunks(read_bytes, bytes, len, out);
}
