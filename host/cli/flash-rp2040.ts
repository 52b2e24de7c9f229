// `cell flash --board rp2040` without --port: writes a .uf2 for a Raspberry Pi Pico holding the
// rp2040 runtime's serial-mode image (host/board/build-rp2040.ts) and a module store pre-filled
// with the kernel and the cells (host/board/store-image.ts), for the user to copy onto the
// RPI-RP2 drive. Before writing it, the same bytes boot in the rp2040js emulator (a
// devDependency: skipped, and said so, where it is not installed) and must start the kernel and
// every cell within the chip's 264 KiB; the node id and free RAM it reports are the emulator's.
// Untested on hardware (docs/boards.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FlashModule } from '../board/flash-modules.ts';

export interface Rp2040FlashResult {
  board: 'rp2040';
  uf2: string;
  uf2Bytes: number;
  imageBytes: number;
  storeBytes: number;
  modules: { name: string; slot: number; size: number; sha256: string }[];
  /** What the emulated board reported, or null when rp2040js is not installed. */
  emulator: { node: string; freeRamBytes: number | null; kernelRunning: boolean; instructions: number; log: string[] } | null;
}

export async function flashRp2040Uf2(modules: FlashModule[], out: string, say: (line: string) => void): Promise<Rp2040FlashResult> {
  const { createHash } = await import('node:crypto');
  const { buildRp2040Image, rp2040Profile, rp2040ToolchainMissing, RP2040_FLASH_BASE, RP2040_STORE_BYTES, RP2040_STORE_OFFSET } = await import('../board/build-rp2040.ts');
  const { storeImage } = await import('../board/store-image.ts');
  const { fromUf2, toUf2Parts, UF2_FAMILY_RP2040 } = await import('../board/uf2.ts');
  const { readFileSync } = await import('node:fs');
  const missing = rp2040ToolchainMissing();
  if (missing) throw new Error(missing);
  const profile = rp2040Profile();
  const image = buildRp2040Image({ kernelPath: '', cellPaths: [], tag: 'serial', serial: { wasm3StackBytes: profile.wasm3StackBytes } });
  const bin = new Uint8Array(readFileSync(image.bin));
  const store = storeImage(modules, RP2040_STORE_BYTES);
  const uf2 = toUf2Parts([{ address: RP2040_FLASH_BASE, bytes: bin }, { address: RP2040_FLASH_BASE + RP2040_STORE_OFFSET, bytes: store }], UF2_FAMILY_RP2040);
  const listed = modules.map((m) => ({ name: m.name, slot: m.slot, size: m.bytes.length, sha256: createHash('sha256').update(m.bytes).digest('hex') }));

  let emulator: Rp2040FlashResult['emulator'] = null;
  let emu: typeof import('../board/rp2040-emulator.ts') | undefined;
  try {
    emu = await import('../board/rp2040-emulator.ts');
  } catch {
    say('rp2040js is not installed (a devDependency of this repository): the image was not checked in an emulator');
  }
  if (emu) {
    say(`checking the image in the rp2040js emulator (264 KiB of SRAM; the board hashes every module at start-up: about 10 s per module here)`);
    // The bytes the .uf2 holds, as a Pico would have them in flash.
    const flash = fromUf2(uf2, UF2_FAMILY_RP2040).image;
    const board = new emu.Rp2040Emulation(flash);
    const { InstallLink } = await import('../board/install-link.ts');
    const link = new InstallLink(board.fromBoard, board.toBoard);
    try {
      board.start();
      await board.waitForLog(/^1 ready: /, 60_000 * modules.length);
      const info = await link.request({ op: 'info' }, 10_000);
      const list = await link.request({ op: 'list' }, 10_000);
      const failed = board.log.filter((l) => /^3 slot \d+/.test(l));
      const running = info.op === 'info' && info.info?.kernelRunning === true;
      if (!running || failed.length > 0 || board.errors.length > 0) {
        throw new Error(`the image does not start on the emulated rp2040 (264 KiB of SRAM), so no .uf2 was written:\n  ${[...failed, ...board.errors].join('\n  ') || board.log.slice(-3).join('\n  ')}\n  (docs/boards.md, "rp2040", says what fits 264 KiB)`);
      }
      for (const m of listed) {
        const got = list.op === 'list' ? list.modules?.find((x) => x.slot === m.slot) : undefined;
        if (!got || Buffer.from(got.sha256).toString('hex') !== m.sha256) throw new Error(`${m.name}: the emulated board's store does not list it with its SHA-256; no .uf2 was written`);
      }
      emulator = {
        node: info.info!.node.toString(16).padStart(8, '0'), freeRamBytes: info.info!.freeRam, kernelRunning: running, instructions: board.instructions, log: board.log,
      };
    } finally {
      board.stop();
      link.close();
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, uf2);
  return { board: 'rp2040', uf2: out, uf2Bytes: uf2.length, imageBytes: image.flashBytes, storeBytes: store.length, modules: listed, emulator };
}
