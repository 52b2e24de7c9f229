// Builds the qemu-mps2-an386 image: the shared runtime, the platform layer and wasm3 for
// Cortex-M4 with arm-none-eabi-gcc and newlib, the kernel and cells linked into flash, RAM capped
// by the linker script. Used by the QEMU conformance test and the RAM hunt (bench/board.ts).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from '../build/paths.ts';
import { RUNTIME_DIR, runtimeSources, WASM3_DEFINES } from './build-runtime.ts';
import { WASM3_FILES, wasm3SourceDir } from './wasm3-source.ts';
import { compileObjects } from './compile-objects.ts';

export const QEMU_BOARD = 'qemu-mps2-an386';
const HASHER_WASM = join(REPO_ROOT, 'node_modules', '@chainsafe', 'as-sha256', 'build', 'optimized.wasm');
const CC = 'arm-none-eabi-gcc';

export interface QemuImageOptions {
  kernelPath: string;
  cellPaths: string[];
  /** The linker script's RAM cap. */
  ramBytes: number;
  /** C stack reserved at the top of RAM (the heap stops below it). */
  cStackBytes?: number;
  /** Folder for this image (several caps are built side by side by the RAM hunt). */
  tag?: string;
  /**
   * Serial mode (`cell flash`): no modules linked in; the image runs the runtime on UART0 and takes
   * its kernel and cells over the install protocol into its store (serial-main.c). kernelPath and
   * cellPaths are then ignored.
   */
  serial?: { wasm3StackBytes: number };
  /** Extra C defines for this image (e.g. -DBOARD_EAGER_COMPILE: every function compiled at start-up). */
  defines?: string[];
  /** A script-mode image that also carries the board's SHA-256 module (the `sha256` command; bench/board-instructions.ts). */
  hasher?: boolean;
}

export interface QemuImage {
  elf: string;
  /** Bytes in flash: .text + .ARM.exidx + .data (what `arm-none-eabi-size` calls text + data). */
  flashBytes: number;
}

/** Cortex-M4 without the FPU's double support: wasm3 works in f64, so soft-float is used throughout. */
const CPU_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=soft'];
// wasm3 for a small RAM: 4 KiB code pages instead of 32 KiB (the measured setting), and
// functions compiled on first use. wasm3's default d_m3MaxFunctionStackHeight (2000 slots) made
// each compilation reserve a 2000-slot table, which on this 32-bit target failed lazy compiles
// inside a call ("memory allocation failed when acquiring a new M3 code page"); 256 slots fits
// every function of the kernel and the example cells (test/board-qemu.test.ts compiles them all).
// 2 KiB code pages: 6 KB less heap than 4 KiB with kernel + echo, 1 KiB is no better (the RAM
// breakdown, docs/boards.md). Two names per function instead of three (4 bytes less in each of
// the kernel's and cells' functions): the cells export one function under two names (a getter
// binaryen merged), none under three.
const SMALL_RAM = ['-Dd_m3CodePageAlignSize=2048', '-Dd_m3MaxFunctionStackHeight=256', '-Dd_m3MaxDuplicateFunctionImpl=2'];
/**
 * The C stack at the top of RAM: what the deepest recorded session needs plus room; wasm calls
 * trap 1.5 KiB above the heap (core/bare-metal.c, platform_native_stack_limit; docs/boards.md, RAM).
 */
export const C_STACK_BYTES = 8 * 1024;

export interface QemuProfile { ramBytes: number; flashBytes: number; wasm3StackBytes: number }

/** boards/qemu-mps2-an386.json: the RAM and flash `cell flash` builds for, and the wasm3 stack per runtime. */
export function qemuProfile(): QemuProfile {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'boards', `${QEMU_BOARD}.json`), 'utf8')) as QemuProfile;
}

/**
 * wasm3 stack per runtime (kernel and each cell) on the QEMU board, from its profile: 3 KiB, twice
 * the deepest the recorded sessions go (kernel 1,521 bytes, cells 1,158-1,270: docs/boards.md, RAM).
 */
export function qemuWasm3StackBytes(): number {
  return qemuProfile().wasm3StackBytes;
}

/** The module store takes the top 1 MiB of the board's flash (store.c); the image gets the rest. */
export const STORE_BYTES = 1024 * 1024;
/** The cell store's region, just below the module store (cell-flash.c, link.ld.in). */
export const CELL_STORE_BYTES = 256 * 1024;

/** null, or why an image of `imageBytes` does not fit a board with `flashBytes` of flash beside its stores. */
export function flashFitError(imageBytes: number, flashBytes: number): string | null {
  const room = flashBytes - STORE_BYTES - CELL_STORE_BYTES;
  if (imageBytes <= room) return null;
  return `the image is too large for the board's flash: ${imageBytes} bytes, ${Math.max(room, 0)} available beside the 1 MiB module store and the 256 KiB cell store (${imageBytes - room} over)`;
}

export function armToolchainMissing(): string | null {
  for (const tool of [CC, 'qemu-system-arm']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm (npm test does it: test/system-packages.mjs)`;
    }
  }
  return null;
}

export function buildQemuImage(o: QemuImageOptions): QemuImage {
  const w3 = wasm3SourceDir();
  const dir = join(BUILD_DIR, 'board', QEMU_BOARD, o.tag ?? 'default');
  mkdirSync(dir, { recursive: true });
  const cStack = o.cStackBytes ?? C_STACK_BYTES;
  const platformDir = join(RUNTIME_DIR, 'platform', QEMU_BOARD);
  const ld = readFileSync(join(platformDir, 'link.ld.in'), 'utf8').replaceAll('@RAM_BYTES@', String(o.ramBytes)).replaceAll('@STACK_BYTES@', String(cStack));
  writeAside(join(dir, 'link.ld'), ld);
  // The modules go into flash as they are: wasm3 reads them in place (m3_ParseModule).
  const serial = o.serial !== undefined;
  const mods = serial ? [] : [o.kernelPath, ...o.cellPaths];
  const asm = serial ? [
    '.section .rodata', '.balign 4', '.global board_kernel', '.global board_kernel_end', 'board_kernel:', 'board_kernel_end:',
    '.global board_cells', 'board_cells:', '.global board_cell_count', 'board_cell_count: .word 0',
    '.global board_serial_mode', 'board_serial_mode: .word 1', '.global board_serial_stack', `board_serial_stack: .word ${o.serial!.wasm3StackBytes}`,
    // The install protocol hashes with @chainsafe/as-sha256 (core/module-hash.c).
    '.balign 4', '.global as_sha256_wasm', `as_sha256_wasm: .incbin "${HASHER_WASM}"`, 'as_sha256_wasm_end:',
    '.global as_sha256_wasm_len', 'as_sha256_wasm_len: .word as_sha256_wasm_end - as_sha256_wasm', '',
  ].join('\n') : [
    '.section .rodata', '.balign 4', '.global board_kernel', '.global board_kernel_end',
    `board_kernel: .incbin "${o.kernelPath}"`, 'board_kernel_end:',
    ...o.cellPaths.flatMap((p, i) => ['.balign 4', `cell${i}: .incbin "${p}"`, `cell${i}_end:`]),
    '.balign 4', '.global board_cells', 'board_cells:', ...o.cellPaths.map((_, i) => `.word cell${i}, cell${i}_end`),
    '.global board_cell_count', `board_cell_count: .word ${o.cellPaths.length}`,
    '.global board_serial_mode', 'board_serial_mode: .word 0', '.global board_serial_stack', 'board_serial_stack: .word 0',
    ...(o.hasher
      ? ['.balign 4', '.global as_sha256_wasm', `as_sha256_wasm: .incbin "${HASHER_WASM}"`, 'as_sha256_wasm_end:', '.global as_sha256_wasm_len', 'as_sha256_wasm_len: .word as_sha256_wasm_end - as_sha256_wasm']
      : ['.global as_sha256_wasm', 'as_sha256_wasm:', '.global as_sha256_wasm_len', 'as_sha256_wasm_len: .word 0']),
    '',
  ].join('\n');
  writeAside(join(dir, 'modules.s'), asm);
  const elf = join(dir, 'board.elf');
  // Objects are shared by every image (the RAM hunt links one per cap); only modules.s and the
  // linker script differ.
  const sources = [...runtimeSources(QEMU_BOARD), ...WASM3_FILES.map((f) => join(w3, f))];
  const cflags = [
    // m3_info.c uses PRIi64/PRIu64, which newlib's inttypes.h does not define for this target.
    ...CPU_FLAGS, '-std=gnu99', '-Os', '-DPRIi64="lli"', '-DPRIu64="llu"', '-ffunction-sections', '-fdata-sections', '-DBOARD_BARE_METAL', ...WASM3_DEFINES, ...SMALL_RAM, ...(o.defines ?? []),
    `-I${w3}`, `-I${join(RUNTIME_DIR, 'core')}`,
  ];
  const objects = compileObjects({ compile: (args, cwd) => run(CC, args, cwd), cflags, sources, headerDirs: [join(RUNTIME_DIR, 'core'), platformDir], root: join(BUILD_DIR, 'board', QEMU_BOARD, 'obj') });
  const args = [...CPU_FLAGS, ...objects, join(dir, 'modules.s'), '--specs=nano.specs', '--specs=nosys.specs', '-nostartfiles', `-T${join(dir, 'link.ld')}`, '-Wl,--gc-sections', '-o', elf, '-lm'];
  const stamp = createHash('sha256').update(JSON.stringify(args)).update(ld);
  for (const f of mods) stamp.update(readFileSync(f));
  const stampFile = `${elf}.stamp`;
  const digest = stamp.digest('hex');
  if (!(existsSync(elf) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest)) {
    // Linked aside and renamed, for the same reason: another process may be booting this image.
    const out = `${elf}.${process.pid}.tmp`;
    run(CC, args.map((a) => (a === elf ? out : a)), dir);
    renameSync(out, elf);
    writeFileSync(stampFile, digest);
  }
  const size = execFileSync('arm-none-eabi-size', [elf], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
  return { elf, flashBytes: size[0]! + size[1]! };
}

/** Writes a file whole or not at all: another process may be linking with it. */
function writeAside(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function run(cc: string, args: string[], cwd: string): void {
  try {
    execFileSync(cc, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer };
    const text = e.stderr?.toString() ?? String(err);
    const over = /region `FLASH' overflowed by (\d+) bytes/.exec(text);
    if (over) throw new Error(`the image is too large for the board's flash: ${over[1]} bytes over the ${4 * 1024 * 1024 - STORE_BYTES - CELL_STORE_BYTES} the linker script leaves beside the 1 MiB module store and the 256 KiB cell store`);
    throw new Error(`building the ${QEMU_BOARD} image failed:\n${text}`);
  }
}

/** The qemu-system-arm command line that boots an image with UART0 on stdio. */
export function qemuArgs(elf: string): string[] {
  return ['-M', 'mps2-an386', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-semihosting', '-kernel', elf];
}
