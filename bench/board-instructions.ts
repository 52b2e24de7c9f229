// Emulated instructions per echo call on the QEMU Cortex-M4 board, beside the same call's metered
// fuel. QEMU runs with `-icount shift=0`: its virtual clock then advances one nanosecond per guest
// instruction, so the board's SysTick (core clock) counts instructions / (1e9 / clock Hz). The
// ratio is not assumed: a loop of exactly 2n instructions (`spin`) measures it in the same run.
// Each call's ticks cover only the runtime's own work (script-mode.c holds its output until the
// count stops). `npm run bench -- --only board`.
import { join } from 'node:path';
import { runQemuBoard, type BoardStep } from '../host/board/board-script.ts';
import { buildQemuImage, qemuArgs } from '../host/board/build-qemu.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { echoFrames } from './board.ts';

export interface InstructionFigures {
  /** Calls counted (echo CALL frames from peer kernels, as the RAM hunt sends). */
  calls: number;
  /** Median over the calls of the emulated instructions from frame in to reply out. */
  instructionsPerCall: number;
  /** Median over the calls of instructions / the echo cell's metered fuel for that call. */
  instructionsPerFuel: number;
  /** Median fuel metered per call. */
  fuelPerCall: number;
  minInstructions: number;
  maxInstructions: number;
  /** Measured by the calibration loop: instructions per SysTick tick (QEMU: 1e9 / 25 MHz = 40). */
  instructionsPerTick: number;
  /** The board's SHA-256 (core/module-hash.c: as-sha256 under wasm3, opened and freed per hash, as its module checks run it): instructions by input length. */
  sha256: { bytes: number; instructions: number }[];
  /** From those: the fixed cost of one hash (the empty input) and the cost of each further 64-byte block (slope from 1 KiB to 4 KiB). */
  sha256SetupInstructions: number;
  sha256InstructionsPerBlock: number;
}

const SHA_LENGTHS = [0, 64, 1024, 2048]; // 2 KiB: the script line's largest field

const SPIN = 1_000_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function benchInstructions(kernelPath: string, fuelPerCall: number, stackBytes: number): Promise<InstructionFigures> {
  const calls = 24;
  const { setup, frames } = await echoFrames(calls);
  const img = buildQemuImage({ kernelPath, cellPaths: [join(REPO_ROOT, 'build', 'cells', 'echo.wasm')], ramBytes: 4 << 20, tag: 'instructions', hasher: true });
  const args = [...qemuArgs(img.elf), '-icount', 'shift=0'];
  const lines = await runQemuBoard({ command: 'qemu-system-arm', args }, { seed: 1, fuelPerCall, stackBytes }, [...setup, { op: 'count' }, { op: 'spin', n: SPIN }, ...frames, ...SHA_LENGTHS.map((n) => ({ op: 'sha256' as const, bytes: new Uint8Array(n).fill(0x5a) }))] as BoardStep[]);
  // After `count`, each command's lines end with `ticks N`, then `result`, then `ok`.
  const blocks: string[][] = [];
  let cur: string[] = [];
  for (const l of lines.slice(lines.indexOf('ready') + 1)) {
    cur.push(l);
    if (l === 'ok') (blocks.push(cur), (cur = []));
  }
  const ticksOf = (b: string[]) => Number(b.find((l) => l.startsWith('ticks '))?.split(' ')[1]);
  const spin = blocks[setup.length + 1]!;
  const instructionsPerTick = (2 * SPIN) / ticksOf(spin);
  const callBlocks = blocks.slice(setup.length + 2, setup.length + 2 + calls);
  const shaBlocks = blocks.slice(setup.length + 2 + calls);
  const sha256 = SHA_LENGTHS.map((bytes, i) => {
    const b = shaBlocks[i];
    if (!b?.some((l) => l.startsWith('sha256 '))) throw new Error(`the board's sha256 of ${bytes} bytes failed: ${b?.join(' / ')}`);
    return { bytes, instructions: ticksOf(b) * instructionsPerTick };
  });
  const at = (n: number) => sha256.find((x) => x.bytes === n)!.instructions;
  const perCall = callBlocks.map((b) => {
    const fuel = Number(b.find((l) => l.startsWith('fuel 0 '))?.split(' ')[2]);
    const sent = b.some((l) => l.startsWith('send '));
    const ticks = ticksOf(b);
    if (!(fuel > 0) || !sent || !(ticks >= 0)) throw new Error(`an echo call on the board was not answered as expected: ${b.join(' / ')}`);
    return { insns: ticks * instructionsPerTick, fuel };
  });
  if (perCall.length !== calls) throw new Error(`counted ${perCall.length} of ${calls} echo calls`);
  const insns = perCall.map((c) => c.insns);
  return {
    calls, instructionsPerTick,
    instructionsPerCall: median(insns),
    instructionsPerFuel: median(perCall.map((c) => c.insns / c.fuel)),
    fuelPerCall: median(perCall.map((c) => c.fuel)),
    minInstructions: Math.min(...insns), maxInstructions: Math.max(...insns),
    sha256, sha256SetupInstructions: at(0), sha256InstructionsPerBlock: (at(2048) - at(1024)) / ((2048 - 1024) / 64),
  };
}
