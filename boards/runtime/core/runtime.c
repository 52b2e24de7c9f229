/* The shared board runtime: the kernel and its cells on wasm3, with the HAL of docs/abi.md done
 * exactly as host/runtime/kernel-instance.ts and cell-instance.ts do it on V8, so the same input
 * gives the same frames and the same fuel (test/board-conformance.test.ts holds them to it). */
#include "runtime.h"
#include "platform.h"
#include "serial-framing.h"
#include "error-payload.h"
#include "cell-store.h"
#include "cell-store-hal.h"
#include "cell-memory.h"
#include "heap-mark.h"
#include "spore-hal.h"
#include "wasm3.h"
#include "m3_env.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

board_observers board_observe;
board_stats board_counters;

typedef struct {
  const uint8_t *wasm;
  size_t len;
  IM3Runtime rt;
  IM3Function handle;
  IM3Global fuel, oom;
  uint32_t in_ptr, in_cap, out_ptr, out_cap, pages;
  uint32_t memory; /* bytes its cell.memory section declares, 0: its whole memory (cell-memory.h) */
  int live;
  int panicked;
  char panic[192];
} cell_slot;

static IM3Environment env;
static IM3Runtime kernel_rt;
static board_options options;
static cell_slot cells[BOARD_MAX_CELLS];
static int cell_count;
static char kernel_panic[192];
/* One encoded frame for the serial link, allocated once by board_start in serial mode (script mode
 * prints the kernel's frames instead) and sized to the kernel's frame buffer, k_buf_cap: the kernel
 * builds every frame it sends there or in its twin of the same size. Sending never allocates. */
static uint8_t *wire;
static size_t wire_cap;
/* Error texts, built without allocation. */
static char text[256];

/* Text of an AssemblyScript string (UTF-16LE, byte length at ptr - 4) as UTF-8, or `fallback`. */
static size_t as_string(const uint8_t *mem, uint32_t size, uint32_t ptr, const char *fallback, char *out, size_t cap) {
  size_t o = 0;
  if (ptr == 0) return (size_t)snprintf(out, cap, "%s", fallback);
  if (ptr < 4 || ptr > size) return (size_t)snprintf(out, cap, "<bad string pointer %u>", (unsigned)ptr);
  uint32_t len;
  memcpy(&len, mem + ptr - 4, 4);
  if (len % 2 != 0 || (uint64_t)ptr + len > size) return (size_t)snprintf(out, cap, "<bad string at %u>", (unsigned)ptr);
  for (uint32_t i = 0; i < len; i += 2) {
    uint32_t c = (uint32_t)(mem[ptr + i] | (mem[ptr + i + 1] << 8));
    if (c >= 0xd800 && c < 0xdc00 && i + 3 < len) {
      uint32_t lo = (uint32_t)(mem[ptr + i + 2] | (mem[ptr + i + 3] << 8));
      if (lo >= 0xdc00 && lo < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00); i += 2; }
      else c = 0xfffd;
    } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    uint8_t u[4];
    size_t n;
    if (c < 0x80) { u[0] = (uint8_t)c; n = 1; }
    else if (c < 0x800) { u[0] = (uint8_t)(0xc0 | (c >> 6)); u[1] = (uint8_t)(0x80 | (c & 0x3f)); n = 2; }
    else if (c < 0x10000) { u[0] = (uint8_t)(0xe0 | (c >> 12)); u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)); u[2] = (uint8_t)(0x80 | (c & 0x3f)); n = 3; }
    else { u[0] = (uint8_t)(0xf0 | (c >> 18)); u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f)); u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)); u[3] = (uint8_t)(0x80 | (c & 0x3f)); n = 4; }
    if (o + n + 1 > cap) break;
    memcpy(out + o, u, n);
    o += n;
  }
  out[o] = 0;
  return o;
}

static void board_log(int level, const char *text, size_t len) {
  if (board_observe.log) board_observe.log(level, text, len);
  else platform_log(level, text, len);
}

/* [ptr, ptr+len) inside the calling runtime's memory, or NULL. */
static uint8_t *range(IM3Runtime rt, uint32_t ptr, uint32_t len) {
  uint32_t size = 0;
  uint8_t *mem = m3_GetMemory(rt, &size, 0);
  if (!mem || (uint64_t)ptr + len > size) return NULL;
  return mem + ptr;
}

/* ---- cells ---------------------------------------------------------------------------- */

static m3ApiRawFunction(cell_panic) {
  m3ApiGetArg(uint32_t, msg) m3ApiGetArg(uint32_t, file) m3ApiGetArg(int32_t, line) m3ApiGetArg(int32_t, col)
  cell_slot *c = (cell_slot *)m3_GetUserData(runtime);
  uint32_t size = m3_GetMemorySize(runtime);
  char m[96], f[64];
  as_string((const uint8_t *)_mem, size, msg, "abort", m, sizeof m);
  as_string((const uint8_t *)_mem, size, file, "?", f, sizeof f);
  snprintf(c->panic, sizeof c->panic, "%s at %s:%d:%d", m, f, (int)line, (int)col);
  c->panicked = 1;
  m3ApiTrap(m3Err_trapAbort);
}

static m3ApiRawFunction(cell_log) {
  m3ApiGetArg(int32_t, level) m3ApiGetArg(uint32_t, ptr) m3ApiGetArg(uint32_t, len)
  uint8_t *p = range(runtime, ptr, len);
  if (!p) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
  board_log(level, (const char *)p, len);
  m3ApiSuccess();
}

static M3Result link_optional(M3Result r) {
  return r == m3Err_functionLookupFailed ? m3Err_none : r;
}

static int32_t global_i32(IM3Global g) {
  M3TaggedValue v;
  if (!g || m3_GetGlobal(g, &v) != m3Err_none) return 0;
  return v.value.i32;
}

static void set_global_i32(IM3Global g, int32_t x) {
  M3TaggedValue v;
  v.type = c_m3Type_i32;
  v.value.i32 = x;
  if (g) m3_SetGlobal(g, &v);
}

static const char *call_i32_getter(IM3Runtime rt, const char *name, uint32_t *out) {
  IM3Function f;
  M3Result r = m3_FindFunction(&f, rt, name);
  if (r) return r;
  if ((r = m3_CallV(f))) return r;
  return m3_GetResultsV(f, out);
}

/* A fresh instance of the cell's module (its start function runs on the meter's start fuel). */
static const char *cell_instantiate(cell_slot *c) {
  IM3Module mod;
  M3Result r;
  if (c->rt) m3_FreeRuntime(c->rt);
  c->live = 0;
  HEAP_MARK("cell-begin", (int)(c - cells));
  c->rt = m3_NewRuntime(env, options.stack_bytes, c);
  if (!c->rt) return "no memory for a cell runtime";
  /* One fixed floor for every runtime: a cell called from inside the kernel's call would
   * otherwise get a fresh budget measured from where it starts. */
  c->rt->stackLimit = platform_native_stack_limit();
  /* wasm3 allocates only this much of the cell's page; an access above it traps, as it would
   * past the page (wasm3 checks against the allocated length). */
  c->rt->memoryLimit = c->memory;
  HEAP_MARK("cell-runtime", (int)(c - cells));
  if ((r = m3_ParseModule(env, &mod, c->wasm, (uint32_t)c->len))) return r;
  HEAP_MARK("cell-parse", (int)(c - cells));
  if ((r = m3_LoadModule(c->rt, mod))) { m3_FreeModule(mod); return r; }
  HEAP_MARK("cell-load", (int)(c - cells));
  if ((r = link_optional(m3_LinkRawFunction(mod, "hal", "panic", "v(iiii)", cell_panic)))) return r;
  if ((r = link_optional(m3_LinkRawFunction(mod, "hal", "log", "v(iii)", cell_log)))) return r;
  if ((r = cell_store_link(mod, (int)(c - cells)))) return r; /* cell-store-hal.c */
#ifdef BOARD_EAGER_COMPILE
  if ((r = m3_CompileModule(mod))) return r;
#endif
  c->fuel = m3_FindGlobal(mod, "cell_fuel");
  c->oom = m3_FindGlobal(mod, "cell_oom");
  if (!c->fuel) return "it does not export the cell_fuel global";
  c->panicked = 0;
  if ((r = m3_RunStart(mod))) return c->panicked ? c->panic : r;
  HEAP_MARK("cell-start", (int)(c - cells));
  set_global_i32(c->fuel, options.fuel_per_call); /* the buffer getters are metered too */
  if ((r = call_i32_getter(c->rt, "cell_in", &c->in_ptr))) return r;
  if ((r = call_i32_getter(c->rt, "cell_in_cap", &c->in_cap))) return r;
  if ((r = call_i32_getter(c->rt, "cell_out", &c->out_ptr))) return r;
  if ((r = call_i32_getter(c->rt, "cell_out_cap", &c->out_cap))) return r;
  uint32_t size = 0;
  m3_GetMemory(c->rt, &size, 0);
  c->pages = size / 65536;
  if ((uint64_t)c->in_ptr + c->in_cap > size || (uint64_t)c->out_ptr + c->out_cap > size) return "a cell buffer is not inside its memory";
  if ((r = m3_FindFunction(&c->handle, c->rt, "cell_handle"))) return r;
  HEAP_MARK("cell-ready", (int)(c - cells));
  c->live = 1;
  return NULL;
}

int board_add_cell(const uint8_t *wasm, size_t len, const char **err) {
  if (cell_count >= BOARD_MAX_CELLS) { *err = "every cell slot is taken"; return -1; }
  cell_slot *c = &cells[cell_count];
  memset(c, 0, sizeof *c);
  c->wasm = wasm;
  c->len = len;
  const char *e = cell_declared_memory(wasm, len, &c->memory);
  if (e) { *err = e; return -1; }
  e = cell_instantiate(c);
  if (e) {
    if (c->rt) m3_FreeRuntime(c->rt);
    c->rt = NULL;
    *err = e;
    return -1;
  }
  return cell_count++;
}

/* wasm3's trap texts in V8's words, so a board's CELL_TRAP answer is the host's byte for byte
 * (docs/boards.md, Trap texts). wasm3 has one trap for i32/i64 div and rem by zero: a remainder by
 * zero reads "divide by zero" here and "remainder by zero" on V8, the one difference left. */
static const char *const trap_words[][2] = {
  { "[trap] unreachable executed", "unreachable" },
  { "[trap] out of bounds memory access", "memory access out of bounds" },
  { "[trap] integer divide by zero", "divide by zero" },
  { "[trap] integer overflow", "divide result unrepresentable" },
  { "[trap] invalid conversion to integer", "float unrepresentable in integer range" },
  { "[trap] undefined element", "table index is out of bounds" },
  { "[trap] out of bounds table access", "table index is out of bounds" },
  { "[trap] indirect call type mismatch", "null function or function signature mismatch" },
  { "[trap] uninitialized element", "null function or function signature mismatch" },
  { "[trap] stack overflow", "Maximum call stack size exceeded" },
};

static const char *trap_text(const char *r) {
  for (size_t i = 0; i < sizeof trap_words / sizeof trap_words[0]; i++) {
    if (strcmp(r, trap_words[i][0]) == 0) return trap_words[i][1];
  }
  return strncmp(r, "[trap] ", 7) == 0 ? r + 7 : r;
}

static int mentions_memory(const char *s) {
  for (; *s; s++) {
    if (strncmp(s, "alloc", 5) == 0 || strncmp(s, "memory", 6) == 0 || strncmp(s, "Memory", 6) == 0 || strncmp(s, "Alloc", 5) == 0) return 1;
  }
  return 0;
}

static int32_t cell_run_call(int slot, const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t cap, int32_t *fuel_used);

/* Runs a cell on `in` and writes the signed result into out/cap (hal.cell_call's convention). The
 * call's store writes are committed (durable) before a REPLY goes back to the kernel, which sends
 * it; any ERROR drops them. A store that cannot commit turns the REPLY into an ERROR, as on a host. */
static int32_t cell_run(int slot, const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t cap, int32_t *fuel_used) {
  cell_store_begin(slot);
  int32_t r = cell_run_call(slot, in, in_len, out, cap, fuel_used);
  if (r < 0) { cell_store_drop(); return r; }
  const char *e = cell_store_commit();
  if (!e) return r;
  int n = snprintf(text, sizeof text, "trap: the store write failed: %s", e);
  return -(int32_t)error_payload(out, cap, ERR_CELL_TRAP, text, (size_t)n);
}

static int32_t cell_run_call(int slot, const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t cap, int32_t *fuel_used) {
  cell_slot *c = &cells[slot];
  const uint8_t *res = NULL;
  size_t res_len = 0;
  int reply = 0;
  *fuel_used = 0;
  board_counters.cell_calls++;
  if (!c->live) {
    const char *e = cell_instantiate(c);
    board_counters.reinstantiations++;
    if (e) {
      board_counters.cell_traps++;
      int n = snprintf(text, sizeof text, "trap: the cell could not be restarted: %s", e);
      res_len = error_payload(out, cap, ERR_CELL_TRAP, text, (size_t)n);
      return res_len ? -(int32_t)res_len : 0;
    }
  }
  uint8_t *mem = range(c->rt, 0, 0);
  if (in_len > c->in_cap) {
    int n = snprintf(text, sizeof text, "request of %u bytes exceeds the cell's %u-byte input buffer", (unsigned)in_len, (unsigned)c->in_cap);
    res_len = error_payload(out, cap, ERR_TOO_LARGE, text, (size_t)n);
    return -(int32_t)res_len;
  }
  memcpy(mem + c->in_ptr, in, in_len);
  set_global_i32(c->oom, 0);
  c->panicked = 0;
  int32_t budget = options.fuel_per_call;
  set_global_i32(c->fuel, budget);
  M3Result r = m3_CallV(c->handle, (int32_t)in_len);
  static uint8_t made[320]; /* a runtime-made ERROR payload */
  if (r) {
    int32_t left = global_i32(c->fuel);
    int n;
    unsigned code;
    c->live = 0; /* memory may be mid-update: never run this instance again */
    board_counters.cell_traps++;
    if (left < 0) {
      board_counters.out_of_fuel++;
      *fuel_used = budget;
      code = ERR_OUT_OF_FUEL;
      n = snprintf(text, sizeof text, "out of fuel after %d instructions", (int)budget);
    } else {
      *fuel_used = budget - left;
      int grow_failed = global_i32(c->oom) == 1;
      if (grow_failed || (c->panicked && mentions_memory(c->panic))) {
        board_counters.out_of_memory++;
        code = ERR_OUT_OF_MEMORY;
        if (c->panicked) n = snprintf(text, sizeof text, "out of memory: %s", c->panic);
        else if (c->memory) n = snprintf(text, sizeof text, "out of memory: memory.grow failed: the cell's %u-byte memory is full", (unsigned)c->memory);
        else n = snprintf(text, sizeof text, "out of memory: memory.grow failed: the cell's %u-page memory is full", (unsigned)c->pages);
      } else {
        code = ERR_CELL_TRAP;
        if (c->panicked) n = snprintf(text, sizeof text, "trap: abort: %s", c->panic);
        else n = snprintf(text, sizeof text, "trap: %s", trap_text(r));
      }
    }
    res_len = error_payload(made, sizeof made, code, text, (size_t)n);
    res = made;
  } else {
    int32_t ret = 0;
    m3_GetResultsV(c->handle, &ret);
    *fuel_used = budget - global_i32(c->fuel);
    uint32_t len = ret < 0 ? (uint32_t)-ret : (uint32_t)ret;
    if (len > c->out_cap) {
      board_counters.cell_traps++;
      c->live = 0;
      int n = snprintf(text, sizeof text, "trap: the cell returned %s of %u bytes, beyond its %u-byte output buffer", ret < 0 ? "an error payload" : "a reply", (unsigned)len, (unsigned)c->out_cap);
      res_len = error_payload(made, sizeof made, ERR_CELL_TRAP, text, (size_t)n);
      res = made;
    } else {
      mem = range(c->rt, 0, 0);
      res = mem + c->out_ptr;
      res_len = len;
      reply = ret >= 0;
    }
  }
  if (res_len > cap) {
    int n = snprintf(text, sizeof text, "%s of %u bytes does not fit the %u-byte buffer", reply ? "reply" : "error payload", (unsigned)res_len, (unsigned)cap);
    res_len = error_payload(out, cap, ERR_TOO_LARGE, text, (size_t)n);
    if (!res_len) res_len = error_payload(out, cap, ERR_TOO_LARGE, "too large", 9);
    return -(int32_t)res_len;
  }
  memcpy(out, res, res_len);
  return reply ? (int32_t)res_len : -(int32_t)res_len;
}

#ifdef BOARD_HEAP_TRACE
/* The highest non-zero byte of a runtime's wasm3 stack (calloc'ed, grows upwards): a lower bound
 * of its high-water mark (a deepest frame of zeros would not show). Then its linear memory's. */
static void trace_stack(IM3Runtime rt, int slot) {
  char what[40];
  if (!rt) return;
  const uint8_t *s = (const uint8_t *)rt->originStack;
  size_t n = (size_t)rt->numStackSlots * sizeof(m3slot_t);
  while (n > 0 && s[n - 1] == 0) n--;
  snprintf(what, sizeof what, "wasm-stack-%u", (unsigned)n);
  board_heap_mark(what, slot);
  /* The same for its linear memory, leaving out its last 64 bytes (where a cell's TLSF allocator
   * keeps its tail block): how much of the page the session wrote, a lower bound again. */
  uint32_t size = 0;
  const uint8_t *mem = m3_GetMemory(rt, &size, 0);
  size_t m = size > 64 ? size - 64 : 0;
  while (mem && m > 0 && mem[m - 1] == 0) m--;
  snprintf(what, sizeof what, "linear-written-%u", (unsigned)m);
  board_heap_mark(what, slot);
}
void board_trace_wasm_stacks(void) {
  trace_stack(kernel_rt, -1);
  for (int i = 0; i < cell_count; i++) trace_stack(cells[i].rt, i);
}
#endif

/* ---- the kernel's HAL ----------------------------------------------------------------- */

#define KERNEL_RANGE(name, ptr, len) uint8_t *name = range(runtime, (ptr), (len)); if (!name) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);

static m3ApiRawFunction(hal_send) {
  m3ApiGetArg(uint32_t, ptr) m3ApiGetArg(uint32_t, len)
  KERNEL_RANGE(frame, ptr, len)
  if (board_observe.send) { board_observe.send(frame, len); m3ApiSuccess(); }
  size_t n = wire ? serial_encode(frame, len, wire, wire_cap) : 0;
  if (n) platform_serial_write(wire, n);
  m3ApiSuccess();
}

static m3ApiRawFunction(hal_now) {
  m3ApiReturnType(double)
  m3ApiReturn(platform_now_ms());
}

static m3ApiRawFunction(hal_random) {
  m3ApiReturnType(int32_t)
  m3ApiReturn((int32_t)platform_random());
}

static m3ApiRawFunction(hal_log) {
  m3ApiGetArg(int32_t, level) m3ApiGetArg(uint32_t, ptr) m3ApiGetArg(uint32_t, len)
  KERNEL_RANGE(p, ptr, len)
  board_log(level, (const char *)p, len);
  m3ApiSuccess();
}

static m3ApiRawFunction(hal_panic) {
  m3ApiGetArg(uint32_t, msg) m3ApiGetArg(uint32_t, file) m3ApiGetArg(int32_t, line) m3ApiGetArg(int32_t, col)
  uint32_t size = m3_GetMemorySize(runtime);
  char m[96], f[64];
  as_string((const uint8_t *)_mem, size, msg, "abort", m, sizeof m);
  as_string((const uint8_t *)_mem, size, file, "?", f, sizeof f);
  snprintf(kernel_panic, sizeof kernel_panic, "kernel panic: %s at %s:%d:%d", m, f, (int)line, (int)col);
  m3ApiTrap(kernel_panic);
}

static m3ApiRawFunction(hal_cell_call) {
  m3ApiReturnType(int32_t)
  m3ApiGetArg(int32_t, slot) m3ApiGetArg(uint32_t, in) m3ApiGetArg(uint32_t, in_len) m3ApiGetArg(uint32_t, out) m3ApiGetArg(uint32_t, out_cap)
  KERNEL_RANGE(ip, in, in_len)
  KERNEL_RANGE(op, out, out_cap)
  if (slot < 0 || slot >= cell_count) {
    int n = snprintf(text, sizeof text, "trap: no cell in slot %d", (int)slot);
    m3ApiReturn(-(int32_t)error_payload(op, out_cap, ERR_CELL_TRAP, text, (size_t)n));
  }
  int32_t fuel = 0;
  int32_t r = cell_run(slot, ip, in_len, op, out_cap, &fuel);
  if (board_observe.fuel) board_observe.fuel(slot, fuel);
  m3ApiReturn(r);
}

static m3ApiRawFunction(hal_deliver) {
  m3ApiGetArg(int32_t, kind) m3ApiGetArg(int32_t, seq) m3ApiGetArg(uint32_t, src) m3ApiGetArg(uint32_t, ptr) m3ApiGetArg(uint32_t, len)
  KERNEL_RANGE(p, ptr, len)
  /* The board runs no local caller: answers only reach an observer (the conformance mode). */
  if (board_observe.deliver) board_observe.deliver(kind, seq, src, p, len);
  m3ApiSuccess();
}

/* A board starts no replicas elsewhere and retires none yet (issue #14, scope 1). */
static m3ApiRawFunction(hal_spawn) {
  m3ApiReturnType(int32_t)
  m3ApiReturn(-1);
}
static m3ApiRawFunction(hal_retire) {
  m3ApiSuccess();
}

/* Keys and frame authentication stay with the board's gateway over the paired cable
 * (docs/boards.md, Trust): the board has no key and runs open behind it. */
static m3ApiRawFunction(hal_sign) {
  m3ApiReturnType(int32_t)
  m3ApiReturn(-1);
}
static m3ApiRawFunction(hal_verify) {
  m3ApiReturnType(int32_t)
  m3ApiReturn(0);
}
static m3ApiRawFunction(hal_x25519) {
  m3ApiReturnType(int32_t)
  m3ApiReturn(-1);
}
/* No HMAC on the board: it has no key and runs open (above), so no kernel path asks for one. */
static m3ApiRawFunction(hal_no_mac) {
  m3ApiTrap("this board has no HMAC: handshakes go through its gateway");
}
/* SHA-256 and spores: core/spore-hal.c (as-sha256 under wasm3; chunks into flash; served from it). */
static m3ApiRawFunction(hal_hash) {
  m3ApiGetArg(uint32_t, data) m3ApiGetArg(uint32_t, len) m3ApiGetArg(uint32_t, out)
  KERNEL_RANGE(d, data, len)
  KERNEL_RANGE(o, out, 32)
  const char *err = spore_hal_hash(d, len, o);
  if (err) m3ApiTrap(err);
  m3ApiSuccess();
}
static m3ApiRawFunction(hal_spore_get) {
  m3ApiReturnType(int32_t)
  m3ApiGetArg(uint32_t, hash) m3ApiGetArg(int32_t, index) m3ApiGetArg(int32_t, count) m3ApiGetArg(uint32_t, out) m3ApiGetArg(uint32_t, cap)
  KERNEL_RANGE(h, hash, 32)
  KERNEL_RANGE(o, out, cap)
  /* A board's kernel serves runs of one chunk (its 2 KiB frame holds no more): any other count is not held. */
  m3ApiReturn(count == 1 ? spore_hal_get(h, index, o, cap) : -1);
}
static m3ApiRawFunction(hal_spore_put) {
  m3ApiGetArg(int32_t, handle) m3ApiGetArg(int32_t, index) m3ApiGetArg(uint32_t, ptr) m3ApiGetArg(uint32_t, len)
  KERNEL_RANGE(p, ptr, len)
  spore_hal_put(handle, index, p, len);
  m3ApiSuccess();
}
static m3ApiRawFunction(hal_spore_done) {
  m3ApiGetArg(int32_t, handle) m3ApiGetArg(int32_t, status)
  spore_hal_done(handle, status);
  m3ApiSuccess();
}

/* The kernel's memory top (docs/abi.md, `k_memory_top`): an exported immutable i32 global whose
 * initialiser is one i32.const. wasm3 evaluates initialisers in m3_LoadModule, after it has
 * allocated the memory, so it is decoded here from the parsed module. 0 when the kernel has none:
 * its whole declared memory. */
static uint32_t kernel_memory_top(IM3Module mod) {
  IM3Global g = m3_FindGlobal(mod, "k_memory_top");
  if (!g || g->imported || g->isMutable || g->type != c_m3Type_i32 || !g->initExpr || g->initExprSize < 2 || g->initExpr[0] != 0x41) return 0;
  bytes_t p = g->initExpr + 1;
  i32 v;
  /* wasm3's signed LEB128 reader; a negative, oversized or cut top is ignored */
  return ReadLEB_i32(&v, &p, g->initExpr + g->initExprSize) || v < 0 ? 0 : (uint32_t)v;
}

const char *board_start(const uint8_t *kernel, size_t len, const board_options *opts) {
  IM3Module mod;
  M3Result r;
  options = *opts;
  HEAP_MARK("boot", -1);
  env = m3_NewEnvironment();
  if (!env) return "no memory for the wasm3 environment";
  HEAP_MARK("environment", -1);
  kernel_rt = m3_NewRuntime(env, options.stack_bytes, NULL);
  if (!kernel_rt) return "no memory for the kernel runtime";
  kernel_rt->stackLimit = platform_native_stack_limit();
  HEAP_MARK("kernel-runtime", -1);
  if ((r = m3_ParseModule(env, &mod, kernel, (uint32_t)len))) return r;
  HEAP_MARK("kernel-parse", -1);
  /* The kernel never touches its page above its top, so the runtime allocates only up to there:
   * an access above it traps here as the kernel's own check makes it impossible on V8. */
  kernel_rt->memoryLimit = kernel_memory_top(mod);
  if ((r = m3_LoadModule(kernel_rt, mod))) { m3_FreeModule(mod); return r; }
  HEAP_MARK("kernel-load", -1);
  static const struct { const char *name, *sig; M3RawCall fn; } hal[] = {
    { "send", "v(ii)", hal_send }, { "now", "F()", hal_now }, { "random", "i()", hal_random },
    { "log", "v(iii)", hal_log }, { "panic", "v(iiii)", hal_panic }, { "cell_call", "i(iiiii)", hal_cell_call },
    { "deliver", "v(iiiii)", hal_deliver }, { "spawn", "i(ii)", hal_spawn }, { "retire", "v(i)", hal_retire },
    { "sign", "i(iii)", hal_sign }, { "verify", "i(iiii)", hal_verify }, { "x25519", "i(iii)", hal_x25519 },
    { "mac", "v(iiiii)", hal_no_mac }, { "hash", "v(iii)", hal_hash },
    { "spore_get", "i(iiiii)", hal_spore_get }, { "spore_put", "v(iiii)", hal_spore_put }, { "spore_done", "v(ii)", hal_spore_done },
  };
  for (size_t i = 0; i < sizeof hal / sizeof hal[0]; i++) {
    if ((r = link_optional(m3_LinkRawFunction(mod, "hal", hal[i].name, hal[i].sig, hal[i].fn)))) return r;
  }
#ifdef BOARD_EAGER_COMPILE
  /* Every function compiled now: proves each fits d_m3MaxFunctionStackHeight (test/board-qemu.test.ts). */
  if ((r = m3_CompileModule(mod))) return r;
#endif
  if ((r = m3_RunStart(mod))) return r;
  HEAP_MARK("kernel-start", -1);
  if (!board_observe.send) {
    uint32_t cap = 0;
    if (!board_k_buf(&cap)) return "the kernel has no frame buffer";
    free(wire);
    wire_cap = SERIAL_COBS_MAX(cap + SERIAL_CRC_BYTES) + 2;
    if (!(wire = malloc(wire_cap))) return "no memory for the serial link's send buffer";
  }
  /* No key on the board: it runs open, as a host without an identity does (kernel-instance.ts). */
  int32_t ok;
  return board_k_config(13 /* open */, 1, &ok);
}

/* The first error of a kernel call (a panic, a trap, a function wasm3 could not compile) stops the
 * kernel: its memory may be mid-update and wasm3 may hold half-compiled code, so every later call
 * answers the same error instead of running it again. */
static const char *kernel_stopped;

static const char *stop(const char *err) {
  if (err && !kernel_stopped) {
    static char why[224];
    snprintf(why, sizeof why, "kernel stopped: %s", err);
    kernel_stopped = why;
  }
  return err;
}

static const char *find(const char *name, IM3Function *f) {
  if (kernel_stopped) return kernel_stopped;
  return m3_FindFunction(f, kernel_rt, name);
}

const char *board_k_init(uint32_t node, double now) {
  IM3Function f;
  M3Result r = find("k_init", &f);
  return r ? r : stop(m3_CallV(f, (int32_t)node, now));
}

const char *board_k_i32(const char *name, int nargs, int32_t a, int32_t b, int32_t c, int32_t *result) {
  IM3Function f;
  M3Result r = find(name, &f);
  if (r) return r;
  if ((int)m3_GetArgCount(f) != nargs) return "argument count mismatch";
  r = stop(nargs == 0 ? m3_CallV(f) : nargs == 1 ? m3_CallV(f, a) : nargs == 2 ? m3_CallV(f, a, b) : m3_CallV(f, a, b, c));
  if (r) return r;
  *result = 0;
  return m3_GetRetCount(f) ? m3_GetResultsV(f, result) : NULL;
}

const char *board_host(int32_t slot, uint32_t species, int32_t *result) {
  const char *err = board_k_i32("k_host", 2, slot, (int32_t)species, 0, result);
  /* A hosted cell's store is its species' one (cell-store.h). */
  if (!err && *result == 0) cell_store_bind(slot, species);
  return err;
}

const char *board_k_config(int32_t key, double value, int32_t *result) {
  IM3Function f;
  M3Result r = find("k_config", &f);
  if (r || (r = stop(m3_CallV(f, key, value)))) return r;
  return m3_GetResultsV(f, result);
}

const char *board_k_tick(double now, double *wake) {
  static IM3Function f;
  M3Result r = kernel_stopped ? kernel_stopped : f ? NULL : find("k_tick", &f);
  if (r || (r = stop(m3_CallV(f, now)))) return r;
  return m3_GetResultsV(f, wake);
}

uint8_t *board_k_buf(uint32_t *cap) {
  int32_t ptr = 0, c = 0;
  if (board_k_i32("k_buf", 0, 0, 0, 0, &ptr) || board_k_i32("k_buf_cap", 0, 0, 0, 0, &c)) return NULL;
  *cap = (uint32_t)c;
  return range(kernel_rt, (uint32_t)ptr, (uint32_t)c);
}

const char *board_on_frame(const uint8_t *frame, size_t len, int32_t *result) {
  uint32_t cap = 0;
  uint8_t *buf = board_k_buf(&cap);
  if (!buf) return "the kernel has no frame buffer";
  if (len <= cap) memcpy(buf, frame, len); /* a longer one is counted TOO_LARGE by the kernel */
  return board_k_i32("k_on_frame", 1, (int32_t)len, 0, 0, result);
}
