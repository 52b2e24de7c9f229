/* The rp2040's module store: the second MiB of the Pico's 2 MiB flash (0x10100000; the image takes
 * the first, host/board/build-rp2040.ts checks it fits). Reads go through XIP. Writes use the
 * bootrom's flash routines (datasheet 2.8.3.1.3: connect_internal_flash, flash_exit_xip,
 * flash_range_erase, flash_range_program, flash_flush_cache, flash_enter_cmd_xip) on whole 4 KiB
 * sectors (read, modify, erase, program), from code in RAM since XIP is off meanwhile.
 * Untested on hardware. rp2040js has no bootrom: there writes fail (-1, storeError) and the store
 * holds what the .uf2 put there (cell flash --board rp2040 pre-fills it). */
#include "../../core/module-store.h"
#include "../../core/platform.h"
#include "chip.h"
#include <stdlib.h>
#include <string.h>

#define STORE_FLASH_OFFSET (1024u * 1024u)
#define STORE_BASE ((const uint8_t *)(0x10000000u + STORE_FLASH_OFFSET))
#define STORE_BYTES (1024u * 1024u)
#define SECTOR 4096u
#define PAGE 256u


uint32_t platform_store_size(void) { return STORE_BYTES; }

const uint8_t *rp2040_store_base(void) { return STORE_BASE; }

int platform_store_read(uint32_t offset, uint8_t *out, uint32_t len) {
  if ((uint64_t)offset + len > STORE_BYTES) return -1;
  memcpy(out, STORE_BASE + offset, len);
  return 0;
}

typedef void (*rom_void_fn)(void);
typedef void (*rom_erase_fn)(uint32_t addr, uint32_t count, uint32_t block_size, uint8_t block_cmd);
typedef void (*rom_program_fn)(uint32_t addr, const uint8_t *data, uint32_t count);
static struct { rom_void_fn connect, exit_xip, flush, enter_xip; rom_erase_fn erase; rom_program_fn program; } rom;

/* The bootrom's function table (datasheet 2.8.3): 'M','u',1 at 0x10, then two 16-bit pointers. */
static int rom_ready(void) {
  if (rom.program) return 1;
  const uint8_t *magic = (const uint8_t *)0x10;
  if (magic[0] != 'M' || magic[1] != 'u' || magic[2] != 1) return 0;
  typedef void *(*lookup_fn)(const uint16_t *table, uint32_t code);
  lookup_fn lookup = (lookup_fn)(uintptr_t)*(const uint16_t *)0x18;
  const uint16_t *table = (const uint16_t *)(uintptr_t)*(const uint16_t *)0x14;
#define ROM(a, b) lookup(table, (uint32_t)(a) | (uint32_t)(b) << 8)
  rom.connect = (rom_void_fn)ROM('I', 'F');
  rom.exit_xip = (rom_void_fn)ROM('E', 'X');
  rom.erase = (rom_erase_fn)ROM('R', 'E');
  rom.program = (rom_program_fn)ROM('R', 'P');
  rom.flush = (rom_void_fn)ROM('F', 'C');
  rom.enter_xip = (rom_void_fn)ROM('C', 'X');
#undef ROM
  return rom.connect && rom.exit_xip && rom.erase && rom.program && rom.flush && rom.enter_xip;
}

/* Runs from RAM (.data): flash is not readable while the bootrom's routines drive it. long_call:
 * RAM is beyond a BL's reach from flash. */
__attribute__((section(".data.ramfunc"), noinline, long_call)) static void rewrite_sector(uint32_t flash_offset, const uint8_t *sector);
static void rewrite_sector(uint32_t flash_offset, const uint8_t *sector) {
  __asm__ volatile("cpsid i" ::: "memory");
  rom.connect();
  rom.exit_xip();
  rom.erase(flash_offset, SECTOR, SECTOR, 0x20); /* 4 KiB sector erase */
  rom.program(flash_offset, sector, SECTOR);
  rom.flush();
  rom.enter_xip();
  __asm__ volatile("cpsie i" ::: "memory");
}

int platform_store_write(uint32_t offset, const uint8_t *bytes, uint32_t len) {
  /* Taken from the heap on the first write, kept: static RAM stays free for script-mode images. */
  static uint8_t *sector;
  if ((uint64_t)offset + len > STORE_BYTES) return -1;
  if (!rom_ready()) {
    static const char why[] = "store write refused: no RP2040 bootrom flash routines (an emulator without a bootrom)";
    platform_log(3, why, sizeof why - 1);
    return -1;
  }
  if (!sector && !(sector = malloc(SECTOR))) return -1;
  while (len > 0) {
    uint32_t base = offset & ~(SECTOR - 1u);
    uint32_t at = offset - base;
    uint32_t n = SECTOR - at < len ? SECTOR - at : len;
    memcpy(sector, STORE_BASE + base, SECTOR);
    memcpy(sector + at, bytes, n);
    rewrite_sector(STORE_FLASH_OFFSET + base, sector);
    if (memcmp(STORE_BASE + offset, bytes, n) != 0) return -1; /* read back through XIP */
    offset += n;
    bytes += n;
    len -= n;
  }
  return 0;
}

void platform_reset(void) {
  __asm__ volatile("dsb" ::: "memory");
  REG(AIRCR) = 0x05FA0004u; /* SYSRESETREQ */
  for (;;) {}
}
