// Figures of the rp2040 port in the rp2040js emulator: `npx tsx bench/board-rp2040.ts` (about a
// minute; `--json` for JSON). Image sizes and static RAM from the linker; the heap high-water
// marks from the script protocol's `mem`; the RAM kernel + cells would need from runs with the
// emulated SRAM enlarged (not an RP2040); cycles per echo call from SysTick on the core clock as
// rp2040js counts cycles (flash wait states and XIP cache misses are not modelled: a lower bound
// for a real Pico), calibrated with the `spin` loop; the C stack's depth by painting its reserve;
// the emulator's speed on this machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRp2040Image, rp2040Profile, RP2040_STORE_BYTES, RP2040_STORE_OFFSET } from '../host/board/build-rp2040.ts';
import { runRp2040, Rp2040Emulation } from '../host/board/rp2040-emulator.ts';
import { scriptText, type BoardStep } from '../host/board/board-script.ts';
import { storeImage } from '../host/board/store-image.ts';
import { planModules } from '../host/board/flash-modules.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { fixture, FUEL, recordOnV8, SEED } from '../test/fixtures/board-session.ts';
import { echoFrames } from './board.ts';

const MHZ = 125;
const BIG = 1024 * 1024;
const profile = rp2040Profile();
const stack = profile.wasm3StackBytes;
const cells = (names: string[]) => names.map((c) => join(REPO_ROOT, 'build', 'cells', `${c}.wasm`));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const input = (steps: BoardStep[]) => scriptText([...steps, { op: 'mem' }], { seed: SEED, fuelPerCall: FUEL, stackBytes: stack });
const peakOf = (lines: string[]) => Number(lines.filter((l) => l.startsWith('maxrss ')).at(-1)?.split(' ')[1]);

const f = await fixture();
// Flash: the script image with the kernel and the three example cells (as board.flashBytes on QEMU), and the serial image.
const full = buildRp2040Image({ kernelPath: f.kernelPath, cellPaths: cells(['echo', 'kv', 'exchange']), tag: 'bench-flash' });
const serial = buildRp2040Image({ kernelPath: '', cellPaths: [], tag: 'serial', serial: { wasm3StackBytes: stack } });

// The recorded session, kernel alone, on the chip's 264 KiB.
const alone = await recordOnV8({ ...f, cellPaths: [] });
const aloneImg = buildRp2040Image({ kernelPath: f.kernelPath, cellPaths: [], tag: 'session-0-chip' });
// The stack's reserve and 16 KiB below it are painted: a stack deeper than its reserve shows.
const below = (s: { from: number; to: number }) => ({ from: s.from - 16 * 1024, to: s.to });
const aloneRun = runRp2040(readFileSync(aloneImg.bin), input(alone.steps), { maxInstructions: 1e9, stackRegion: below(aloneImg.stack) });
if (aloneRun.breakCode !== 0) throw new Error(`the kernel-alone session did not finish: ${aloneRun.lines.slice(-3).join(' / ')}`);

// What kernel + cells need: the same sessions with the SRAM enlarged to 1 MiB.
const needs = async (n: number) => {
  const fx = { ...f, cellPaths: f.cellPaths.slice(0, n) };
  const rec = await recordOnV8(fx);
  const img = buildRp2040Image({ kernelPath: fx.kernelPath, cellPaths: fx.cellPaths, tag: `session-${n}-${BIG}`, ramBytes: BIG });
  const run = runRp2040(readFileSync(img.bin), input(rec.steps), { maxInstructions: 2e9, sramBytes: BIG, stackRegion: below(img.stack) });
  const same = rec.transcript.every((l, i) => run.lines[i] === l);
  const peak = peakOf(run.lines);
  // RAM = static data + the C stack's reserve + the heap's high-water mark.
  return { heapPeakBytes: peak, ramBytes: img.staticRamBytes + (img.stack.to - img.stack.from) + peak, cStackBytesUsed: run.stackBytesUsed, sameAsV8: same };
};
const withEcho = await needs(1);
const withThree = await needs(3);

// Cycles per echo call: `count` holds each command's output and prints SysTick ticks for its work.
const { setup, frames } = await echoFrames(24);
const SPIN = 1_000_000;
const echoImg = buildRp2040Image({ kernelPath: f.kernelPath, cellPaths: cells(['echo']), tag: `bench-echo-${BIG}`, ramBytes: BIG });
const counted = runRp2040(readFileSync(echoImg.bin), input([...setup, { op: 'count' }, { op: 'spin', n: SPIN }, ...frames]), { maxInstructions: 2e9, sramBytes: BIG });
const blocks: string[][] = [];
let cur: string[] = [];
for (const l of counted.lines.slice(counted.lines.indexOf('ready') + 1)) {
  cur.push(l);
  if (l === 'ok') (blocks.push(cur), (cur = []));
}
const ticksOf = (b: string[]) => Number(b.find((l) => l.startsWith('ticks '))?.split(' ')[1]);
const spinCycles = ticksOf(blocks[setup.length + 1]!);
const calls = blocks.slice(setup.length + 2, setup.length + 2 + frames.length).map((b) => ({ cycles: ticksOf(b), fuel: Number(b.find((l) => l.startsWith('fuel 0 '))?.split(' ')[2]) }));
if (calls.length !== 24 || calls.some((c) => !(c.cycles > 0 && c.fuel > 0))) throw new Error(`echo calls not counted: ${counted.lines.slice(-5).join(' / ')}`);
const cyclesPerCall = median(calls.map((c) => c.cycles));
const cyclesPerFuel = median(calls.map((c) => c.cycles / c.fuel));

// Serial mode: start-up from the store (hash check + kernel start), emulated cycles.
const store = storeImage(planModules(readFileSync(f.kernelPath), []), RP2040_STORE_BYTES);
const flash = new Uint8Array(RP2040_STORE_OFFSET + store.length);
flash.set(readFileSync(serial.bin));
flash.set(store, RP2040_STORE_OFFSET);
const board = new Rp2040Emulation(flash);
board.start();
await board.waitForLog(/^1 ready: kernel running/, 120_000);
const bootCycles = board.cycles;
const link = new InstallLink(board.fromBoard, board.toBoard);
const info = await link.request({ op: 'info' }, 10_000);
board.stop();
link.close();

const figures = {
  emulator: 'rp2040js 1.4.1',
  imageBytesKernelAlone: aloneImg.flashBytes,
  imageBytesKernelEchoKvExchange: full.flashBytes,
  imageBytesSerialMode: serial.flashBytes,
  staticRamBytesScript: aloneImg.staticRamBytes,
  staticRamBytesSerial: serial.staticRamBytes,
  heapBytesOnChip: aloneImg.heapBytes,
  cStackReserveBytes: aloneImg.stack.to - aloneImg.stack.from,
  kernelAloneSession: { steps: alone.steps.length, heapPeakBytes: peakOf(aloneRun.lines), cStackBytesUsed: aloneRun.stackBytesUsed, instructions: aloneRun.instructions, cycles: aloneRun.cycles, sameAsV8: alone.transcript.every((l, i) => aloneRun.lines[i] === l) },
  emulatorInstructionsPerSecond: Math.round(aloneRun.instructions / aloneRun.seconds),
  kernelEchoNeeds: withEcho,
  kernelEchoSpinOomNeeds: withThree,
  spinCyclesPerInstruction: spinCycles / (2 * SPIN),
  echoCall: { cycles: cyclesPerCall, microsecondsAt125MHz: cyclesPerCall / MHZ, fuel: median(calls.map((c) => c.fuel)), cyclesPerFuel, fuelPerSecondAt125MHz: Math.round(MHZ * 1e6 / cyclesPerFuel) },
  serialBoot: { cycles: bootCycles, secondsAt125MHz: bootCycles / (MHZ * 1e6), freeRamBytesAfter: info.op === 'info' ? info.info!.freeRam : null },
};
if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
else console.log(figures);
