// The board runtime (boards/runtime) beside V8: the same echo CALL frames through the mcu kernel
// and the echo cell on the posix wasm3 board and on V8 (KernelInstance + CellInstance), time per
// call and the ratio; the posix binary's size and peak RSS. `npm run bench -- --only board`.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { runPosixBoard, V8ScriptedBoard, type BoardStep } from '../host/board/board-script.ts';
import { REPO_ROOT } from '../host/build/paths.ts';

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
}

/** `calls` CALL frames for the echo cell from a peer kernel, recorded as board input. */
async function echoFrames(calls: number): Promise<{ setup: BoardStep[]; frames: BoardStep[] }> {
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
  const frames: BoardStep[] = [];
  let peer = newPeer(PEER);
  for (let i = 0; i < calls; i++) {
    // A peer's answers never come back here, so a fresh peer (a new id: the board's replay cache
    // is keyed by caller) takes over before its peerWindow (8) fills.
    if (i % 8 === 7) peer = newPeer(PEER + i);
    out.length = 0;
    const seq = peer.call(BOARD, 1, payload);
    if (seq < 0) throw new Error(`the peer kernel refused call ${i}: ${seq}`);
    for (const f of out) frames.push({ op: 'frame', bytes: f });
  }
  return { setup: [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, { op: 'host', slot: 0, species: 1 }], frames };
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
  return { calls, wasm3UsPerCall, v8UsPerCall, wasm3OverV8: wasm3UsPerCall / v8UsPerCall, posixBinaryBytes: statSync(binary).size, posixPeakRssBytes: rss };
}
