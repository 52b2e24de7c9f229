// The board runtime (boards/runtime) beside V8: the same echo CALL frames through the mcu kernel
// and the echo cell on the posix wasm3 board and on V8 (KernelInstance + CellInstance), time per
// call and the ratio; the posix binary's size and peak RSS; an echo call over a paced 921600-baud
// pty beside the line's floor; on the QEMU Cortex-M4 board, the RAM
// hunt and the image's flash size. `npm run bench -- --only board`.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { runPosixBoard, runQemuBoard, V8ScriptedBoard, type BoardStep } from '../host/board/board-script.ts';
import { armToolchainMissing, buildQemuImage, qemuArgs, qemuWasm3StackBytes } from '../host/board/build-qemu.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { benchSerialRtt, type SerialRttFigures } from './board-serial-rtt.ts';
import { benchInstructions, type InstructionFigures } from './board-instructions.ts';
import { builtFixtureCell } from '../test/fixtures/fixture-cells.ts';
import { freshCallerFrames } from '../test/fixtures/board-session.ts';
import { inspectWasm } from '../host/build/inspect.ts';

const BOARD = 0xa1b2c3d4;
const PEER = 0x11223344;
const FUEL = 10_000_000;

export interface BoardFigures {
  calls: number;
  wasm3UsPerCall: number;
  v8UsPerCall: number;
  /** wasm3 time over V8 time per call. */
  wasm3OverV8: number;
  posixBinaryBytes: number;
  posixPeakRssBytes: number;
  /** Smallest linker-script RAM cap (4 KiB steps) at which the QEMU board answers as V8 does: kernel + echo. */
  ramKernelOneCellBytes: number | null;
  /** The same with kernel + echo + kv. */
  ramKernelTwoCellsBytes: number | null;
  /** Flash of the QEMU image with the kernel and the three example cells (.text + .data). */
  flashBytes: number | null;
  /** An echo call over a 921600-baud paced pty to the posix board, p50 (us), beside the line's floor (bench/board-serial-rtt.ts). */
  serialRttP50Us: number;
  serialFloorUs: number;
  serial: SerialRttFigures;
  /** Emulated instructions per echo call on the QEMU board (QEMU's instruction counter, -icount) and per unit of that call's metered fuel. */
  instructionsPerCall: number | null;
  instructionsPerFuel: number | null;
  instructions?: InstructionFigures;
  /** Why the QEMU figures are null (no ARM toolchain). */
  qemuSkipped?: string;
}

/** `calls` CALL frames for the echo cell (slot 0, species 1) from peer kernels, recorded as board input; every `kvEvery`th goes to kv (slot 1, species 2). */
export async function echoFrames(calls: number, kvEvery = 0): Promise<{ setup: BoardStep[]; frames: BoardStep[] }> {
  const kernel = new Uint8Array(readFileSync(join(REPO_ROOT, 'build', 'kernel.wasm')));
  const schema = (JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'cells', 'echo.schema.json'), 'utf8')) as { schema: CellSchema }).schema;
  const out: Uint8Array[] = [];
  const module = await KernelInstance.compile(kernel);
  let r = 7;
  const newPeer = (id: number) => {
    const k = KernelInstance.instantiate(module, {
      send: (f) => out.push(f.slice()), now: () => 0, random: () => (r = (r * 1103515245 + 12345) >>> 0), cellCall: () => 0, deliver: () => {},
    });
    k.init(id, 0);
    return k;
  };
  const payload = encodeCall(schema, 'echo', ['hello from the bench']);
  const kvSchema = (JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'cells', 'kv.schema.json'), 'utf8')) as { schema: CellSchema }).schema;
  const kvPayload = encodeCall(kvSchema, 'get', ['a']);
  const frames: BoardStep[] = [];
  let peer = newPeer(PEER);
  for (let i = 0; i < calls; i++) {
    // A peer's answers never come back here, so a fresh peer (a new id: the board's replay cache
    // is keyed by caller) takes over before its peerWindow (8) fills.
    if (i % 8 === 7) peer = newPeer(PEER + i);
    out.length = 0;
    const kv = kvEvery > 0 && i % kvEvery === kvEvery - 1;
    const seq = peer.call(BOARD, kv ? 2 : 1, kv ? kvPayload : payload);
    if (seq < 0) throw new Error(`the peer kernel refused call ${i}: ${seq}`);
    for (const f of out) frames.push({ op: 'frame', bytes: f });
  }
  const setup: BoardStep[] = [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, { op: 'host', slot: 0, species: 1 }];
  if (kvEvery > 0) setup.push({ op: 'host', slot: 1, species: 2 });
  return { setup, frames };
}

export async function benchBoard(): Promise<BoardFigures> {
  const binary = buildPosixBoard();
  const calls = 2000;
  const { setup, frames } = await echoFrames(calls);
  const image = { kernelPath: join(REPO_ROOT, 'build', 'kernel.wasm'), cellPaths: [join(REPO_ROOT, 'build', 'cells', 'echo.wasm')], seed: 1, fuelPerCall: FUEL };
  // The board's time per call: a run with the frames minus a run without, so start-up cancels.
  const timed = async (steps: BoardStep[]) => {
    const t0 = process.hrtime.bigint();
    const lines = await runPosixBoard(binary, image, [...steps, { op: 'stat', id: 5 }, { op: 'mem' }]);
    return { ns: Number(process.hrtime.bigint() - t0), lines };
  };
  await timed(setup); // warm the page cache
  const empty = await timed(setup);
  const full = await timed([...setup, ...frames]);
  const served = Number(full.lines.filter((l) => l.startsWith('result ')).at(-1)?.split(' ')[1]);
  if (served !== calls) throw new Error(`the board served ${served} of ${calls} echo calls`);
  const rss = Number(full.lines.find((l) => l.startsWith('maxrss '))?.split(' ')[1]);

  const v8 = await V8ScriptedBoard.create({ kernel: new Uint8Array(readFileSync(image.kernelPath)), cells: [new Uint8Array(readFileSync(image.cellPaths[0]!))], seed: 1, fuelPerCall: FUEL });
  for (const s of setup) v8.step(s);
  for (const s of frames.slice(0, 200)) v8.step(s); // warm-up: V8 tiers up hot code
  const t0 = process.hrtime.bigint();
  for (const s of frames) v8.step(s);
  const v8Ns = Number(process.hrtime.bigint() - t0);
  const wasm3UsPerCall = (full.ns - empty.ns) / calls / 1000;
  const v8UsPerCall = v8Ns / calls / 1000;
  const serial = await benchSerialRtt(binary);
  const figures: BoardFigures = {
    calls, wasm3UsPerCall, v8UsPerCall, wasm3OverV8: wasm3UsPerCall / v8UsPerCall, posixBinaryBytes: statSync(binary).size, posixPeakRssBytes: rss,
    serialRttP50Us: serial.serialRttP50Us, serialFloorUs: serial.serialFloorUs, serial,
    ramKernelOneCellBytes: null, ramKernelTwoCellsBytes: null, flashBytes: null, instructionsPerCall: null, instructionsPerFuel: null,
  };
  const missing = armToolchainMissing();
  if (missing) return { ...figures, qemuSkipped: missing };
  const cell = (name: string) => join(REPO_ROOT, 'build', 'cells', `${name}.wasm`);
  figures.flashBytes = buildQemuImage({ kernelPath: image.kernelPath, cellPaths: ['echo', 'kv', 'exchange'].map(cell), ramBytes: 4 << 20, tag: 'flash' }).flashBytes;
  const instructions = await benchInstructions(image.kernelPath, FUEL, WASM3_STACK);
  Object.assign(figures, { instructions, instructionsPerCall: instructions.instructionsPerCall, instructionsPerFuel: instructions.instructionsPerFuel });
  figures.ramKernelOneCellBytes = await ramHunt(image.kernelPath, [cell('echo')], 0);
  figures.ramKernelTwoCellsBytes = await ramHunt(image.kernelPath, [cell('echo'), cell('kv')], 3);
  return figures;
}

/** wasm3 stack per runtime: the QEMU board profile's, as `cell flash` gives it. */
export const WASM3_STACK = qemuWasm3StackBytes();

/** Fuel per call in the replacement run: the spin cell runs out of it on every call. */
const REPLACE_FUEL = 100_000;
const REPLACEMENTS = 50;

/**
 * The replacement run of the RAM hunt: the kernel with `cellPaths` but the last slot holding the
 * spin fixture (test/fixtures/cells/spin.ts, with the replaced cell's declared memory), called REPLACEMENTS times with a payload that spins
 * until the meter stops it, so its instance traps and is replaced each time; `mem` after the 2nd
 * and the last call.
 */
async function replacementSession(cellPaths: string[]): Promise<{ cells: string[]; steps: BoardStep[] }> {
  const dir = join(REPO_ROOT, 'build', 'test-cells', 'board');
  mkdirSync(dir, { recursive: true });
  // The trapping cell declares the memory of the cell whose slot it takes (its cell.memory
  // section; a whole page if it declares none), so the run holds what a board would.
  const memory = inspectWasm(new Uint8Array(readFileSync(cellPaths.at(-1)!))).memoryBytes;
  const spin = join(dir, `spin-${memory ?? 'page'}.wasm`);
  writeFileSync(spin, await builtFixtureCell('spin', 'mcu', memory));
  const cells = [...cellPaths.slice(0, -1), spin];
  const calls = await freshCallerFrames(new Uint8Array(readFileSync(join(REPO_ROOT, 'build', 'kernel.wasm'))), REPLACEMENTS, cells.length, new Uint8Array([1]));
  const steps: BoardStep[] = [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, ...cells.map((_, slot): BoardStep => ({ op: 'host', slot, species: slot + 1 })), ...calls];
  return { cells, steps };
}

/**
 * The RAM hunt: the smallest linker-script RAM cap (4 KiB steps) at which the QEMU board, booted
 * twice, (1) answers 24 calls to the cells (and the ticks between) exactly as V8 does, and (2)
 * replaces a trapped cell 50 times (replacementSession) with the same answers and fuel as V8 and
 * the same heap high-water mark after the 2nd and the 50th replacement. Bisection between 64 KiB
 * and 4 MiB: every cap below a passing one that was tried failed.
 */
export async function ramHunt(kernelPath: string, cellPaths: string[], kvEvery: number): Promise<number | null> {
  const { setup, frames } = await echoFrames(24, kvEvery);
  const steps: BoardStep[] = [...setup, ...frames, { op: 'now', ms: 5000 }, { op: 'tick' }];
  const kernel = new Uint8Array(readFileSync(kernelPath));
  const v8 = await V8ScriptedBoard.create({ kernel, cells: cellPaths.map((p) => new Uint8Array(readFileSync(p))), seed: 1, fuelPerCall: FUEL });
  for (const s of steps) v8.step(s);
  const want = v8.transcript.join('\n');
  const replace = await replacementSession(cellPaths);
  const v8r = await V8ScriptedBoard.create({ kernel, cells: replace.cells.map((p) => new Uint8Array(readFileSync(p))), seed: 1, fuelPerCall: REPLACE_FUEL });
  for (const s of replace.steps) v8r.step(s);
  const wantReplace = v8r.transcript.join('\n');
  const passes = async (ram: number) => {
    try {
      // A passing run takes seconds; a board that faulted while out of memory may never exit.
      const img = buildQemuImage({ kernelPath, cellPaths, ramBytes: ram, tag: `ram-${cellPaths.length}` });
      const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(img.elf) }, { seed: 1, fuelPerCall: FUEL, stackBytes: WASM3_STACK }, steps, 60_000);
      if (got.join('\n') !== want) return false;
      const imgR = buildQemuImage({ kernelPath, cellPaths: replace.cells, ramBytes: ram, tag: `ram-${cellPaths.length}-replace` });
      const gotR = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(imgR.elf) }, { seed: 1, fuelPerCall: REPLACE_FUEL, stackBytes: WASM3_STACK }, replace.steps, 60_000);
      const heap = gotR.filter((l) => l.startsWith('maxrss '));
      return gotR.filter((l) => !l.startsWith('maxrss ')).join('\n') === wantReplace && heap.length === 2 && heap[0] === heap[1];
    } catch {
      return false;
    }
  };
  const step = 4096;
  let lo = 64 * 1024 / step; // fails (checked below)
  let hi = (4 << 20) / step;
  if (!(await passes(hi * step)) || (await passes(lo * step))) return null;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await passes(mid * step)) hi = mid;
    else lo = mid;
  }
  return hi * step;
}
