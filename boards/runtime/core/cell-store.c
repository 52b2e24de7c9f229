/* The cell store on a board (cell-store.h has the layout). Every read scans the active bank's
 * log: a board has no RAM for a per-key index, and its logs are small (one bank). */
#include "cell-store.h"
#include "runtime.h"
#include <stdio.h>
#include <string.h>

#define PUT 1
#define DEL 2
#define REC_HEAD 8u  /* u32 bodyLength, u32 crc32(body) */
#define BODY_HEAD 6u /* u32 species, u16 opCount */
#define CHUNK 64u

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

uint32_t cell_store_crc32(uint32_t crc, const uint8_t *p, size_t n) {
  /* Half-byte table: 64 bytes of flash instead of 1 KiB. */
  static const uint32_t t[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu, 0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
  };
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    crc = (crc >> 4) ^ t[crc & 15];
    crc = (crc >> 4) ^ t[crc & 15];
  }
  return ~crc;
}

/* ---- state ------------------------------------------------------------------------------ */

static struct {
  int opened; /* 0 not yet, 1 open, -1 no usable region */
  uint32_t bank_bytes, bank, base, gen;
  uint32_t end;  /* bank-relative: the first byte after the last good record */
  int clean;     /* compacted and nothing appended since: compacting again frees nothing */
  uint32_t compactions, open_failures;
  uint32_t formats, tail_cuts; /* regions formatted (no valid bank), logs cut at a bad record */
  uint32_t cut_at;             /* bank-relative: where the last cut found the good records end */
} S;

static struct {
  uint32_t species;
  int32_t puts; /* put ops of the species in the log (an upper bound of its live keys; exact
                 * right after a compaction); -1: not counted yet */
} slots[BOARD_MAX_CELLS];

/* The running call's record: head (filled at commit), species, op count, ops. */
static uint8_t stage[CELL_STORE_STAGE_BYTES];
static uint32_t stage_len; /* 0: nothing staged */
static int active = -1;
/* Keys the running call made visible minus those it removed (the host's size change). */
static int32_t stage_delta;

static int rd(uint32_t off, uint8_t *b, uint32_t n) { return platform_cell_flash_read(S.base + off, b, n); }

static int cmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl) {
  int c = memcmp(a, b, al < bl ? al : bl);
  if (c) return c;
  return al < bl ? -1 : al > bl ? 1 : 0;
}

/* ---- reading the log --------------------------------------------------------------------- */

typedef struct { uint32_t rec_end, at, left, species; } iter;
typedef struct { uint32_t species, kind, klen, key, vlen, value; } op;

static void it_init(iter *it) { it->rec_end = CELL_STORE_BANK_HEAD; it->at = it->left = 0; }

/* The next op of the log (records in [head, S.end) were checked when the store was opened). */
static int it_next(iter *it, op *o) {
  uint8_t h[REC_HEAD + BODY_HEAD];
  while (it->left == 0) {
    uint32_t rec = it->rec_end;
    if (rec + REC_HEAD + BODY_HEAD > S.end || rd(rec, h, sizeof h)) return 0;
    it->rec_end = rec + REC_HEAD + get32(h);
    it->species = get32(h + REC_HEAD);
    it->left = get16(h + REC_HEAD + 4);
    it->at = rec + REC_HEAD + BODY_HEAD;
  }
  if (rd(it->at, h, 3)) return 0;
  o->species = it->species;
  o->kind = h[0];
  o->klen = get16(h + 1);
  o->key = it->at + 3;
  o->vlen = 0;
  if (o->kind == PUT) {
    if (rd(o->key + o->klen, h, 4)) return 0;
    o->vlen = get32(h);
    o->value = o->key + o->klen + 4;
    it->at = o->value + o->vlen;
  } else it->at = o->key + o->klen;
  it->left--;
  return 1;
}

/* Whether the op is on `key` of `species` (`kb`: a 64-byte scratch for the stored key). */
static int same_key(const op *o, uint32_t species, const uint8_t *key, uint32_t klen, uint8_t *kb) {
  return o->species == species && o->klen == klen && !rd(o->key, kb, klen) && !memcmp(kb, key, klen);
}

/* The last op of the log on the key: 1 and *found if it is a put, 0 if it is a delete or none. */
static int log_lookup(uint32_t species, const uint8_t *key, uint32_t klen, op *found) {
  uint8_t kb[CELL_STORE_MAX_KEY];
  iter it;
  op o;
  int live = 0;
  if (klen < 1 || klen > CELL_STORE_MAX_KEY) return 0;
  it_init(&it);
  while (it_next(&it, &o)) {
    if (!same_key(&o, species, key, klen, kb)) continue;
    live = o.kind == PUT;
    *found = o;
  }
  return live;
}

/* Whether a later op of the log (after `it`) is on the key. */
static int superseded(iter it, uint32_t species, const uint8_t *key, uint32_t klen) {
  uint8_t kb[CELL_STORE_MAX_KEY];
  op o;
  while (it_next(&it, &o)) if (same_key(&o, species, key, klen, kb)) return 1;
  return 0;
}

static int32_t log_puts(int slot) {
  if (slots[slot].puts < 0) {
    iter it;
    op o;
    int32_t n = 0;
    it_init(&it);
    while (it_next(&it, &o)) n += o.species == slots[slot].species && o.kind == PUT;
    slots[slot].puts = n;
  }
  return slots[slot].puts;
}

static void forget_counts(void) {
  for (int i = 0; i < BOARD_MAX_CELLS; i++) slots[i].puts = -1;
}

/* ---- the staged record ------------------------------------------------------------------ */

#define STAGE_OPS (REC_HEAD + BODY_HEAD)

static uint32_t stage_species(void) { return get32(stage + REC_HEAD); }

static uint32_t op_size(const uint8_t *p) {
  uint32_t klen = get16(p + 1);
  return p[0] == PUT ? 3 + klen + 4 + get32(p + 3 + klen) : 3 + klen;
}

/* Offset in `stage` of the staged op on the key, or 0. */
static uint32_t staged_find(uint32_t species, const uint8_t *key, uint32_t klen) {
  if (!stage_len || stage_species() != species) return 0;
  for (uint32_t at = STAGE_OPS; at < stage_len; at += op_size(stage + at)) {
    if (get16(stage + at + 1) == klen && !memcmp(stage + at + 3, key, klen)) return at;
  }
  return 0;
}

static void stage_remove(uint32_t at) {
  uint32_t n = op_size(stage + at);
  memmove(stage + at, stage + at + n, stage_len - at - n);
  stage_len -= n;
  put16(stage + REC_HEAD + 4, get16(stage + REC_HEAD + 4) - 1);
}

static void stage_append(uint32_t species, int kind, const uint8_t *key, uint32_t klen, const uint8_t *value, uint32_t vlen) {
  if (!stage_len) {
    put32(stage + REC_HEAD, species);
    put16(stage + REC_HEAD + 4, 0);
    stage_len = STAGE_OPS;
  }
  uint8_t *p = stage + stage_len;
  p[0] = (uint8_t)kind;
  put16(p + 1, klen);
  memcpy(p + 3, key, klen);
  stage_len += 3 + klen;
  if (kind == PUT) {
    put32(p + 3 + klen, vlen);
    memcpy(p + 7 + klen, value, vlen);
    stage_len += 4 + vlen;
  }
  put16(stage + REC_HEAD + 4, get16(stage + REC_HEAD + 4) + 1);
}

/* Bytes the staged record would take with `add` more and the op at `minus` (0: none) gone. */
static uint32_t stage_after(uint32_t add, uint32_t minus) {
  return (stage_len ? stage_len : STAGE_OPS) + add - (minus ? op_size(stage + minus) : 0);
}

/* ---- opening, formatting, compacting ---------------------------------------------------- */

static int bank_head(uint32_t bank, uint32_t *gen) {
  uint8_t h[CELL_STORE_BANK_HEAD];
  if (platform_cell_flash_read(bank * S.bank_bytes, h, sizeof h)) return 0;
  if (get32(h) != CELL_STORE_MAGIC || get32(h + 8) != cell_store_crc32(0, h, 8)) return 0;
  *gen = get32(h + 4);
  return 1;
}

static int write_head(uint32_t bank, uint32_t gen) {
  uint8_t h[CELL_STORE_BANK_HEAD];
  put32(h, CELL_STORE_MAGIC);
  put32(h + 4, gen);
  put32(h + 8, cell_store_crc32(0, h, 8));
  put32(h + 12, 0xffffffffu);
  return platform_cell_flash_write(bank * S.bank_bytes, h, sizeof h);
}

/* The end of the last good record of the active bank: a record is good when it fits the bank,
 * its CRC matches and its ops fill its body exactly with keys 1..64 and values <= 1024 bytes. */
static uint32_t good_end(void) {
  uint8_t b[CHUNK];
  uint32_t at = CELL_STORE_BANK_HEAD;
  for (;;) {
    if (at + REC_HEAD + BODY_HEAD > S.bank_bytes || rd(at, b, REC_HEAD + BODY_HEAD)) return at;
    uint32_t len = get32(b), want = get32(b + 4), ops = get16(b + REC_HEAD + 4);
    if (len < BODY_HEAD || len > S.bank_bytes - at - REC_HEAD) return at;
    uint32_t end = at + REC_HEAD + len, crc = 0;
    for (uint32_t p = at + REC_HEAD; p < end; p += CHUNK) {
      uint32_t n = end - p < CHUNK ? end - p : CHUNK;
      if (rd(p, b, n)) return at;
      crc = cell_store_crc32(crc, b, n);
    }
    if (crc != want) return at;
    uint32_t p = at + REC_HEAD + BODY_HEAD;
    for (uint32_t i = 0; i < ops; i++) {
      if (p + 3 > end || rd(p, b, 3)) return at;
      uint32_t kind = b[0], klen = get16(b + 1);
      if ((kind != PUT && kind != DEL) || klen < 1 || klen > CELL_STORE_MAX_KEY || p + 3 + klen > end) return at;
      p += 3 + klen;
      if (kind == DEL) continue;
      if (p + 4 > end || rd(p, b, 4)) return at;
      uint32_t vlen = get32(b);
      if (vlen > CELL_STORE_MAX_VALUE || vlen > end - p - 4) return at;
      p += 4 + vlen;
    }
    if (p != end) return at;
    at = end;
  }
}

/* Whether [S.end, bank end) is erased, so appending there needs no erase first. */
static int tail_erased(void) {
  uint8_t b[CHUNK];
  for (uint32_t p = S.end; p < S.bank_bytes; p += CHUNK) {
    uint32_t n = S.bank_bytes - p < CHUNK ? S.bank_bytes - p : CHUNK;
    if (rd(p, b, n)) return 0;
    for (uint32_t i = 0; i < n; i++) if (b[i] != 0xff) return 0;
  }
  return 1;
}

/* Rewrites the live keys into the other bank, one record per key, and makes it the active one
 * by writing its header last. With `fold`, the staged record goes in too and keys it writes are
 * not copied (so a call that deletes from a full bank can commit). NULL or why not. */
static const char *compact(int fold) {
  uint32_t to = 1 - S.bank, tbase = to * S.bank_bytes, w = CELL_STORE_BANK_HEAD;
  uint8_t kb[CELL_STORE_MAX_KEY], b[CHUNK];
  iter it;
  op o;
  if (platform_cell_flash_erase(tbase, S.bank_bytes)) return "the board's flash refused an erase";
  it_init(&it);
  while (it_next(&it, &o)) {
    if (o.kind != PUT || rd(o.key, kb, o.klen)) continue;
    if (superseded(it, o.species, kb, o.klen) || (fold && staged_find(o.species, kb, o.klen))) continue;
    uint32_t body = BODY_HEAD + 3 + o.klen + 4 + o.vlen;
    if (w + REC_HEAD + body > S.bank_bytes) return "the cell store's flash is full";
    uint8_t h[REC_HEAD + BODY_HEAD + 3];
    put32(h, body);
    put32(h + REC_HEAD, o.species);
    put16(h + REC_HEAD + 4, 1);
    h[REC_HEAD + BODY_HEAD] = PUT;
    put16(h + REC_HEAD + BODY_HEAD + 1, o.klen);
    uint8_t vl[4];
    put32(vl, o.vlen);
    uint32_t crc = cell_store_crc32(0, h + REC_HEAD, BODY_HEAD + 3);
    crc = cell_store_crc32(crc, kb, o.klen);
    crc = cell_store_crc32(crc, vl, 4);
    uint32_t p = tbase + w + REC_HEAD + BODY_HEAD + 3;
    if (platform_cell_flash_write(p, kb, o.klen) || platform_cell_flash_write(p + o.klen, vl, 4)) return "the board's flash refused a write";
    p += o.klen + 4;
    for (uint32_t v = 0; v < o.vlen; v += CHUNK) {
      uint32_t n = o.vlen - v < CHUNK ? o.vlen - v : CHUNK;
      if (rd(o.value + v, b, n) || platform_cell_flash_write(p + v, b, n)) return "the board's flash refused a write";
      crc = cell_store_crc32(crc, b, n);
    }
    put32(h + 4, crc);
    if (platform_cell_flash_write(tbase + w, h, sizeof h)) return "the board's flash refused a write";
    w += REC_HEAD + body;
  }
  if (fold && stage_len) {
    if (w + stage_len > S.bank_bytes) return "the cell store's flash is full";
    if (platform_cell_flash_write(tbase + w, stage, stage_len)) return "the board's flash refused a write";
    w += stage_len;
  }
  /* The records are durable before the header that makes them the store. */
  if (platform_cell_flash_sync() || write_head(to, S.gen + 1) || platform_cell_flash_sync()) return "the board's flash refused a write";
  S.bank = to;
  S.base = tbase;
  S.gen++;
  S.end = w;
  S.clean = !fold;
  S.compactions++;
  forget_counts();
  return NULL;
}

/* Opens the store on first use after start-up: picks the bank, cuts a torn tail (by compacting
 * when it is not erased: flash cannot be rewritten in place), or formats an empty region. */
static int open_store(void) {
  uint32_t g0 = 0, g1 = 0;
  if (S.opened) return S.opened > 0;
  uint32_t size = platform_cell_flash_size();
  S.opened = -1;
  if (size < 2 * 1024) { S.open_failures++; return 0; }
  S.bank_bytes = size / 2;
  int h0 = bank_head(0, &g0), h1 = bank_head(1, &g1);
  forget_counts();
  S.clean = 0;
  if (!h0 && !h1) {
    S.formats++;
    if (platform_cell_flash_erase(0, S.bank_bytes) || write_head(0, 1) || platform_cell_flash_sync()) { S.open_failures++; return 0; }
    S.bank = 0;
    S.gen = 1;
    S.base = 0;
    S.end = CELL_STORE_BANK_HEAD;
    S.opened = 1;
    return 1;
  }
  S.bank = h1 && (!h0 || (int32_t)(g1 - g0) > 0) ? 1 : 0;
  S.gen = S.bank ? g1 : g0;
  S.base = S.bank * S.bank_bytes;
  S.end = good_end();
  if (!tail_erased()) {
    S.tail_cuts++;
    S.cut_at = S.end;
    if (compact(0)) { S.open_failures++; return 0; }
  }
  S.opened = 1;
  return 1;
}

/* ---- the calls -------------------------------------------------------------------------- */

void cell_store_bind(int slot, uint32_t species) {
  if (slot < 0 || slot >= BOARD_MAX_CELLS) return;
  slots[slot].species = species;
  slots[slot].puts = -1;
}

static void stage_reset(void) {
  stage_len = 0;
  stage_delta = 0;
}

void cell_store_begin(int slot) {
  stage_reset();
  active = slot;
}

void cell_store_drop(void) {
  stage_reset();
  active = -1;
}

int cell_store_active_slot(void) { return active; }

const char *cell_store_commit(void) {
  const char *err = NULL;
  if (stage_len && open_store()) {
    uint32_t species = stage_species(), puts = 0;
    for (uint32_t at = STAGE_OPS; at < stage_len; at += op_size(stage + at)) puts += stage[at] == PUT;
    put32(stage, stage_len - REC_HEAD);
    put32(stage + 4, cell_store_crc32(0, stage + REC_HEAD, stage_len - REC_HEAD));
    if (S.end + stage_len <= S.bank_bytes) {
      if (platform_cell_flash_write(S.base + S.end, stage, stage_len) || platform_cell_flash_sync()) {
        err = "the board's flash refused a write";
        S.opened = 0; /* opened again on next use: a torn tail is cut there */
      } else {
        S.end += stage_len;
        S.clean = 0;
        for (int i = 0; i < BOARD_MAX_CELLS; i++) if (slots[i].species == species && slots[i].puts >= 0) slots[i].puts += (int32_t)puts;
      }
    } else err = compact(1);
  }
  cell_store_drop();
  return err;
}

static uint32_t species_of(int slot) { return slot >= 0 && slot < BOARD_MAX_CELLS ? slots[slot].species : 0; }

/* Whether the running call sees the key: its own staged write first, else the log. */
static int visible(uint32_t species, const uint8_t *key, uint32_t klen) {
  op o;
  uint32_t s = staged_find(species, key, klen);
  if (s) return stage[s] == PUT;
  return log_lookup(species, key, klen, &o);
}

int32_t cell_store_get(int slot, const uint8_t *key, uint32_t klen, uint8_t *out, uint32_t cap) {
  op o;
  uint32_t species = species_of(slot);
  if (!open_store()) return -1;
  uint32_t s = staged_find(species, key, klen);
  if (s) {
    if (stage[s] != PUT) return -1;
    uint32_t vlen = get32(stage + s + 3 + klen);
    if (out && vlen <= cap) memcpy(out, stage + s + 7 + klen, vlen);
    return (int32_t)vlen;
  }
  if (!log_lookup(species, key, klen, &o)) return -1;
  if (out && o.vlen <= cap && rd(o.value, out, o.vlen)) return -1;
  return (int32_t)o.vlen;
}

int32_t cell_store_put(int slot, const uint8_t *key, uint32_t klen, const uint8_t *value, uint32_t vlen) {
  uint32_t species = species_of(slot);
  if (klen < 1 || klen > CELL_STORE_MAX_KEY) return -1;
  if (vlen > CELL_STORE_MAX_VALUE) return -2;
  if (!open_store() || slot < 0 || slot >= BOARD_MAX_CELLS) return -3;
  int seen = visible(species, key, klen);
  if (!seen) {
    /* The host's rule: a new key when the species holds 1024 is refused. The log's put count
     * bounds the live keys from above and equals them after a compaction. */
    if (log_puts(slot) + stage_delta >= CELL_STORE_MAX_KEYS && !S.clean && compact(0)) return -3;
    if (log_puts(slot) + stage_delta >= CELL_STORE_MAX_KEYS) return -3;
  }
  uint32_t old = staged_find(species, key, klen);
  uint32_t need = stage_after(3 + klen + 4 + vlen, old);
  if (need > CELL_STORE_STAGE_BYTES) return -3; /* the board's limit: docs/boards.md */
  if (S.end + need > S.bank_bytes && (S.clean || compact(0) || S.end + need > S.bank_bytes)) return -3;
  if (old) stage_remove(old);
  stage_append(species, PUT, key, klen, value, vlen);
  if (!seen) stage_delta++;
  return 0;
}

int32_t cell_store_del(int slot, const uint8_t *key, uint32_t klen) {
  uint32_t species = species_of(slot);
  if (!open_store() || !visible(species, key, klen)) return 0;
  uint32_t old = staged_find(species, key, klen);
  if (stage_after(3 + klen, old) > CELL_STORE_STAGE_BYTES) return -1;
  if (old) stage_remove(old);
  stage_append(species, DEL, key, klen, NULL, 0);
  stage_delta--;
  return 1;
}

int32_t cell_store_next(int slot, const uint8_t *key, uint32_t klen, uint8_t *out, uint32_t cap) {
  uint8_t after[CELL_STORE_MAX_KEY], best[CELL_STORE_MAX_KEY], kb[CELL_STORE_MAX_KEY];
  uint32_t species = species_of(slot), blen = 0;
  const uint8_t *a = key;
  uint32_t alen = klen;
  if (!open_store()) return -1;
  /* The smallest key written after `a` (by the log or this call) is the answer if it is still
   * visible; if not, the search goes on after it. */
  for (;;) {
    iter it;
    op o;
    int have = 0;
    it_init(&it);
    while (it_next(&it, &o)) {
      if (o.kind != PUT || o.species != species || rd(o.key, kb, o.klen)) continue;
      if (cmp(kb, o.klen, a, alen) > 0 && (!have || cmp(kb, o.klen, best, blen) < 0)) { memcpy(best, kb, o.klen); blen = o.klen; have = 1; }
    }
    if (stage_len && stage_species() == species) {
      for (uint32_t at = STAGE_OPS; at < stage_len; at += op_size(stage + at)) {
        uint32_t l = get16(stage + at + 1);
        const uint8_t *k = stage + at + 3;
        if (stage[at] == PUT && cmp(k, l, a, alen) > 0 && (!have || cmp(k, l, best, blen) < 0)) { memcpy(best, k, l); blen = l; have = 1; }
      }
    }
    if (!have) return -1;
    if (visible(species, best, blen)) {
      if (out && blen <= cap) memcpy(out, best, blen);
      return (int32_t)blen;
    }
    memcpy(after, best, blen);
    a = after;
    alen = blen;
  }
}

void cell_store_stat(cell_store_info *out) {
  open_store();
  out->bank = S.bank;
  out->generation = S.gen;
  out->end = S.end;
  out->bank_bytes = S.bank_bytes;
  out->compactions = S.compactions;
  out->open_failures = S.open_failures;
  out->formats = S.formats;
  out->tail_cuts = S.tail_cuts;
  out->cut_at = S.cut_at;
}

int cell_store_open(char *note, size_t cap) {
  cell_store_info i;
  cell_store_stat(&i);
  if (S.opened < 0) {
    snprintf(note, cap, platform_cell_flash_size() ? "cell store: the flash refused a write while opening it" : "cell store: none on this board");
    return platform_cell_flash_size() ? 2 : 1;
  }
  if (i.tail_cuts) {
    snprintf(note, cap, "cell store: records of bank %lu end at byte %lu and what follows is neither a record nor erased: cut off there, the live keys compacted into bank %lu (generation %lu)",
             (unsigned long)(1 - i.bank), (unsigned long)i.cut_at, (unsigned long)i.bank, (unsigned long)i.generation);
    return 2;
  }
  if (i.formats) { snprintf(note, cap, "cell store: no bank had a valid header: the region was formatted"); return 1; }
  snprintf(note, cap, "cell store: bank %lu, generation %lu, %lu bytes of records", (unsigned long)i.bank, (unsigned long)i.generation, (unsigned long)(i.end - CELL_STORE_BANK_HEAD));
  return 1;
}
