// Builds the rp2040 image: the shared runtime, the platform layer (boards/runtime/platform/rp2040,
// no Pico SDK) and wasm3 for Cortex-M0+ with arm-none-eabi-gcc and newlib, the kernel and cells
// linked into flash, RAM capped by the linker script to the board profile's 264 KiB, a boot2 with
// its CRC32 in front, and the .uf2 a user copies to a Pico. Built on demand by
// test/board-rp2040.test.ts and `cell flash --board rp2040`; run in the rp2040js emulator
// (host/board/rp2040-emulator.ts). Untested on hardware (docs/boards.md).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from '../build/paths.ts';
import { RUNTIME_DIR, runtimeSources, WASM3_DEFINES } from './build-runtime.ts';
import { WASM3_FILES, wasm3SourceDir } from './wasm3-source.ts';
import { compileObjects } from './compile-objects.ts';
import { toUf2, UF2_FAMILY_RP2040 } from './uf2.ts';
import { bootromCrc32 } from './rp2040-boot2-crc.ts';

export const RP2040_BOARD = 'rp2040';
export const RP2040_FLASH_BASE = 0x10000000;
/** The module store takes the second MiB of the Pico's flash (platform/rp2040/store.c); the image the first. */
export const RP2040_STORE_OFFSET = 1024 * 1024;
export const RP2040_STORE_BYTES = 1024 * 1024;
const CC = 'arm-none-eabi-gcc';
const HASHER_WASM = join(REPO_ROOT, 'node_modules', '@chainsafe', 'as-sha256', 'build', 'optimized.wasm');
const PLATFORM_DIR = join(RUNTIME_DIR, 'platform', RP2040_BOARD);

export interface Rp2040Profile { ramBytes: number; flashBytes: number; wasm3StackBytes: number; baud: number }

export function rp2040Profile(): Rp2040Profile {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'boards', `${RP2040_BOARD}.json`), 'utf8')) as Rp2040Profile;
}

export interface Rp2040ImageOptions {
  kernelPath: string;
  cellPaths: string[];
  /** The linker script's RAM cap; default the profile's (264 KiB, the whole chip). */
  ramBytes?: number;
  /** C stack reserved at the top of RAM (the heap stops below it). */
  cStackBytes?: number;
  /** Folder for this image. */
  tag?: string;
  /**
   * Serial mode (`cell flash --board rp2040`): no modules linked in; the image runs the runtime on
   * UART0, answers the install protocol and runs what its module store holds (serial-main.c).
   * kernelPath and cellPaths are then ignored.
   */
  serial?: { wasm3StackBytes: number };
}

export interface Rp2040Image {
  elf: string;
  /** The flash image from 0x10000000: boot2, vectors, code, modules, .data's initial values. */
  bin: string;
  uf2: string;
  /** Bytes in flash (the .bin's length). */
  flashBytes: number;
  /** Static RAM: .data + .bss (the heap and the C stack take the rest of the cap). */
  staticRamBytes: number;
  /** The heap wasm3 may use: the RAM cap less static RAM and the C stack. */
  heapBytes: number;
  /** The C stack's reserve [from, to): from the heap's end to the top of RAM. */
  stack: { from: number; to: number };
}

const CPU_FLAGS = ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'];
// Inline assembly (platform_spin) in unified syntax, as Thumb-1 needs for `subs`.
const ASM_FLAGS = ['-masm-syntax-unified'];
// As on the QEMU board (host/board/build-qemu.ts): 4 KiB wasm3 code pages, functions compiled on
// first use, a 256-slot compile-time stack height.
const SMALL_RAM = ['-Dd_m3CodePageAlignSize=4096', '-Dd_m3MaxFunctionStackHeight=256'];

export function rp2040ToolchainMissing(): string | null {
  try {
    execFileSync(CC, ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${CC} is not installed: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi (npm test does it: test/system-packages.mjs)`;
  }
}

/** boot2.S assembled for the SRAM address the bootrom runs it at, padded to 252 bytes, its CRC32 appended. */
export function buildBoot2(dir: string): Uint8Array {
  const elf = join(dir, 'boot2.elf');
  run(CC, [...CPU_FLAGS, '-nostdlib', '-Wl,-Ttext=0x20041f00', '-Wl,--entry=boot2_entry', join(PLATFORM_DIR, 'boot2.S'), '-o', elf], dir);
  run('arm-none-eabi-objcopy', ['-O', 'binary', elf, join(dir, 'boot2.bin')], dir);
  const code = readFileSync(join(dir, 'boot2.bin'));
  if (code.length > 252) throw new Error(`boot2 is ${code.length} bytes; it must fit 252 (the bootrom copies 256 with the CRC)`);
  const out = new Uint8Array(256);
  out.set(code);
  new DataView(out.buffer).setUint32(252, bootromCrc32(out.subarray(0, 252)), true);
  return out;
}

export function buildRp2040Image(o: Rp2040ImageOptions): Rp2040Image {
  const profile = rp2040Profile();
  const ramBytes = o.ramBytes ?? profile.ramBytes;
  // Measured (bench/board-rp2040.ts, a painted stack): 22,752 bytes at the deepest, compiling the
  // kernel's largest function (wasm3 keeps its compilation state on the C stack); 8 KiB ran into
  // the heap's unused top without a fault.
  const cStack = o.cStackBytes ?? 24 * 1024;
  const w3 = wasm3SourceDir();
  const dir = join(BUILD_DIR, 'board', RP2040_BOARD, o.tag ?? 'default');
  mkdirSync(dir, { recursive: true });
  const ld = readFileSync(join(PLATFORM_DIR, 'link.ld.in'), 'utf8').replaceAll('@RAM_BYTES@', String(ramBytes))
    .replaceAll('@STACK_BYTES@', String(cStack)).replaceAll('@FLASH_BYTES@', String(RP2040_STORE_OFFSET));
  if (RP2040_STORE_OFFSET + RP2040_STORE_BYTES > profile.flashBytes) throw new Error(`boards/rp2040.json: ${profile.flashBytes} bytes of flash cannot hold the image's 1 MiB and the 1 MiB module store`);
  writeAside(join(dir, 'link.ld'), ld);
  const boot2 = buildBoot2(dir);
  const serial = o.serial !== undefined;
  const mods = serial ? [HASHER_WASM] : [o.kernelPath, ...o.cellPaths];
  const boot2Asm = ['.section .boot2, "a"', `.byte ${[...boot2].join(',')}`];
  const asm = serial ? [
    ...boot2Asm,
    '.section .rodata', '.balign 4', '.global board_kernel', '.global board_kernel_end', 'board_kernel:', 'board_kernel_end:',
    '.global board_cells', 'board_cells:', '.global board_cell_count', 'board_cell_count: .word 0',
    '.global board_baud', `board_baud: .word ${profile.baud}`,
    '.global board_serial_mode', 'board_serial_mode: .word 1', '.global board_serial_stack', `board_serial_stack: .word ${o.serial!.wasm3StackBytes}`,
    // The install protocol and the start-up check hash with @chainsafe/as-sha256 (core/module-hash.c).
    '.balign 4', '.global as_sha256_wasm', `as_sha256_wasm: .incbin "${HASHER_WASM}"`, 'as_sha256_wasm_end:',
    // Aligned: a Cortex-M0+ faults on an unaligned word load (rp2040js logs it as an error).
    '.balign 4', '.global as_sha256_wasm_len', 'as_sha256_wasm_len: .word as_sha256_wasm_end - as_sha256_wasm', '',
  ].join('\n') : [
    ...boot2Asm,
    '.section .rodata', '.balign 4', '.global board_kernel', '.global board_kernel_end',
    `board_kernel: .incbin "${o.kernelPath}"`, 'board_kernel_end:',
    ...o.cellPaths.flatMap((p, i) => ['.balign 4', `cell${i}: .incbin "${p}"`, `cell${i}_end:`]),
    '.balign 4', '.global board_cells', 'board_cells:', ...o.cellPaths.map((_, i) => `.word cell${i}, cell${i}_end`),
    '.global board_cell_count', `board_cell_count: .word ${o.cellPaths.length}`,
    '.global board_baud', `board_baud: .word ${profile.baud}`,
    '.global board_serial_mode', 'board_serial_mode: .word 0', '.global board_serial_stack', 'board_serial_stack: .word 0',
    '.global as_sha256_wasm', 'as_sha256_wasm:', '.global as_sha256_wasm_len', 'as_sha256_wasm_len: .word 0',
    '',
  ].join('\n');
  writeAside(join(dir, 'modules.s'), asm);
  const sources = [...runtimeSources(RP2040_BOARD), ...WASM3_FILES.map((f) => join(w3, f))];
  const cflags = [
    // m3_info.c uses PRIi64/PRIu64, which newlib's inttypes.h does not define for this target.
    ...CPU_FLAGS, ...ASM_FLAGS, '-std=gnu99', '-Os', '-DPRIi64="lli"', '-DPRIu64="llu"', '-ffunction-sections', '-fdata-sections', '-DBOARD_BARE_METAL', ...WASM3_DEFINES, ...SMALL_RAM,
    `-I${w3}`, `-I${join(RUNTIME_DIR, 'core')}`,
  ];
  const objects = compileObjects({ compile: (args, cwd) => run(CC, args, cwd), cflags, sources, headerDirs: [join(RUNTIME_DIR, 'core'), PLATFORM_DIR], root: join(BUILD_DIR, 'board', RP2040_BOARD, 'obj') });
  const elf = join(dir, 'board.elf');
  const args = [...CPU_FLAGS, ...objects, join(dir, 'modules.s'), '--specs=nano.specs', '--specs=nosys.specs', '-nostartfiles', `-T${join(dir, 'link.ld')}`, '-Wl,--gc-sections', '-o', elf, '-lm'];
  const stamp = createHash('sha256').update(JSON.stringify(args)).update(ld).update(asm);
  for (const f of mods) stamp.update(readFileSync(f));
  const digest = stamp.digest('hex');
  const bin = join(dir, 'board.bin');
  const uf2 = join(dir, 'board.uf2');
  const stampFile = `${elf}.stamp`;
  if (!(existsSync(elf) && existsSync(bin) && existsSync(uf2) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest)) {
    const out = `${elf}.${process.pid}.tmp`;
    run(CC, args.map((a) => (a === elf ? out : a)), dir);
    run('arm-none-eabi-objcopy', ['-O', 'binary', out, `${bin}.${process.pid}.tmp`], dir);
    const image = readFileSync(`${bin}.${process.pid}.tmp`);
    writeFileSync(`${uf2}.${process.pid}.tmp`, toUf2(image, RP2040_FLASH_BASE, UF2_FAMILY_RP2040));
    renameSync(out, elf);
    renameSync(`${bin}.${process.pid}.tmp`, bin);
    renameSync(`${uf2}.${process.pid}.tmp`, uf2);
    writeFileSync(stampFile, digest);
  }
  const flashBytes = readFileSync(bin).length;
  const fit = rp2040FlashFitError(flashBytes, RP2040_STORE_OFFSET);
  if (fit) throw new Error(fit);
  const syms = symbols(elf, ['_heap_start', '_heap_end', '_stack_top']);
  const staticRamBytes = syms._heap_start! - 0x20000000;
  return { elf, bin, uf2, flashBytes, staticRamBytes, heapBytes: syms._heap_end! - syms._heap_start!, stack: { from: syms._heap_end!, to: syms._stack_top! } };
}

/** null, or why an image of `imageBytes` does not fit the flash below the module store (`room` bytes). */
export function rp2040FlashFitError(imageBytes: number, room: number): string | null {
  if (imageBytes <= room) return null;
  return `the image is too large for the rp2040's flash: ${imageBytes} bytes, ${room} available below the 1 MiB module store (${imageBytes - room} over)`;
}

function symbols(elf: string, names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of execFileSync('arm-none-eabi-nm', [elf], { encoding: 'utf8' }).split('\n')) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (name && names.includes(name)) out[name] = parseInt(addr!, 16);
  }
  for (const n of names) if (out[n] === undefined) throw new Error(`${elf} has no symbol ${n}`);
  return out;
}

function writeAside(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function run(cmd: string, args: string[], cwd: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; code?: string };
    if (e.code === 'ENOENT') throw new Error(rp2040ToolchainMissing() ?? `${cmd} is not installed`);
    const text = e.stderr?.toString() ?? String(err);
    const over = /region `(FLASH|RAM)' overflowed by (\d+) bytes/.exec(text);
    if (over) throw new Error(`the image does not fit the rp2040's ${over[1] === 'FLASH' ? 'flash' : 'RAM'}: ${over[2]} bytes over`);
    if (/the RAM cap leaves no room for the heap/.test(text)) throw new Error('the image does not fit the rp2040\'s RAM: static data and the C stack leave no heap');
    throw new Error(`building the ${RP2040_BOARD} image failed:\n${text}`);
  }
}
