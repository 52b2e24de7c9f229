// `cell flash --board rp2040` without --port: writes a .uf2 for a Raspberry Pi Pico holding the
// rp2040 runtime's serial-mode image (host/board/build-rp2040.ts) and a module store pre-filled
// with the kernel and the cells (host/board/store-image.ts), for the user to copy onto the
// RPI-RP2 drive. Before writing it, the same bytes boot in the rp2040js emulator (a
// devDependency: skipped, and said so, where it is not installed) and must start the kernel and
// every cell within the chip's 264 KiB, and answer one call to each cell from a V8 kernel on its
// UART0 (an empty payload: the cell's dispatch and argument decoding run and are compiled, which
// is where a tight heap first fails); the node id and free RAM it reports are the emulator's.
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
      // A guard against a hung image, not a figure: each module's hash takes about 10 s here.
      await board.waitForLog(/^1 ready: /, 120_000 * modules.length);
      const info = await link.request({ op: 'info' }, 30_000);
      const list = await link.request({ op: 'list' }, 30_000);
      const node = info.op === 'info' ? info.info!.node : 0;
      const unanswered = info.op === 'info' && info.info?.kernelRunning ? await callEachCell(modules, node, board, say) : [];
      const after = await link.request({ op: 'info' }, 30_000);
      const failed = [...board.log.filter((l) => /^3 /.test(l)), ...unanswered.map((n) => `${n}: no answer to a call in 60 s`)];
      const running = after.op === 'info' && after.info?.kernelRunning === true;
      if (!running || failed.length > 0 || board.errors.length > 0) {
        throw new Error(`the image does not start and answer on the emulated rp2040 (264 KiB of SRAM), so no .uf2 was written:\n  ${[...failed, ...board.errors].join('\n  ') || board.log.slice(-3).join('\n  ')}\n  (docs/boards.md, "rp2040", says what fits 264 KiB)`);
      }
      for (const m of listed) {
        const got = list.op === 'list' ? list.modules?.find((x) => x.slot === m.slot) : undefined;
        if (!got || Buffer.from(got.sha256).toString('hex') !== m.sha256) throw new Error(`${m.name}: the emulated board's store does not list it with its SHA-256; no .uf2 was written`);
      }
      emulator = {
        node: node.toString(16).padStart(8, '0'), freeRamBytes: after.op === 'info' ? after.info!.freeRam : null, kernelRunning: running, instructions: board.instructions, log: board.log,
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

/** One CALL with an empty payload to each cell's species from a V8 kernel on the board's link; the names of those not answered. */
async function callEachCell(modules: FlashModule[], node: number, board: import('../board/rp2040-emulator.ts').Rp2040Emulation, say: (line: string) => void): Promise<string[]> {
  const cells = modules.filter((m) => m.slot > 0);
  if (cells.length === 0) return [];
  const { KernelInstance } = await import('../runtime/kernel-instance.ts');
  const { encodeSerialFrame, SerialDeframer } = await import('../wire/serial-framing.ts');
  const answered = new Set<number>();
  const bySeq = new Map<number, number>();
  let now = 0;
  const peer = KernelInstance.instantiate(await KernelInstance.compile(modules[0]!.bytes), {
    send: (f) => board.toBoard.write(encodeSerialFrame(f.slice())), now: () => now, random: () => 0x5eed, cellCall: () => 0,
    deliver: (_kind, seq) => { const species = bySeq.get(seq); if (species !== undefined) answered.add(species); },
  });
  peer.init(0x0c0ffee1, 0);
  const deframer = new SerialDeframer((f) => { if (f[0] === 0xce) peer.onFrame(f.slice()); }, { checkHeader: false });
  const onData = (d: Buffer) => deframer.push(d);
  board.fromBoard.on('data', onData);
  try {
    say(`calling each cell once on the emulated board (${cells.map((c) => c.name).join(', ')})`);
    for (const c of cells) {
      const seq = peer.call(node, c.species, new Uint8Array());
      if (seq < 0) throw new Error(`the checking kernel could not call ${c.name} (${seq})`);
      bySeq.set(seq, c.species);
    }
    // The peer's clock runs on the host's so its retries go out; a board that stopped never answers.
    const started = Date.now();
    while (answered.size < cells.length && Date.now() - started < 60_000 && !board.log.some((l) => /^3 /.test(l))) {
      await new Promise((r) => setTimeout(r, 100));
      now = Date.now() - started;
      peer.tick(now);
    }
  } finally {
    board.fromBoard.off('data', onData);
  }
  return cells.filter((c) => !answered.has(c.species)).map((c) => c.name);
}
