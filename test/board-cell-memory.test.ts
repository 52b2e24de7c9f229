// A cell's declared memory below one page on the board (boards/runtime/core/cell-memory.c, the
// cell runtime's wasm3 memoryLimit): the posix board answers calls that walk up to the limit and
// past it byte for byte (frames and fuel) as V8 does; on the QEMU board the heap holds only the
// declared bytes (the same echo module without its cell.memory section takes a whole page more),
// and a cell that runs out of its declared memory is replaced 50 times without the heap growing.
import test from 'ava';
import fc from 'fast-check';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { runPosixBoard, runQemuBoard, V8ScriptedBoard, type BoardStep } from '../host/board/board-script.ts';
import { armToolchainMissing, buildQemuImage, qemuArgs, qemuWasm3StackBytes } from '../host/board/build-qemu.ts';
import { MEMORY_SECTION, PAGE_BYTES } from '../host/build/cell-memory.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { decodeError, encodeCall } from '../host/sdk/call-codec.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { builtFile, buildFixtureCell } from './fixtures/built.ts';
import { BOARD, FUEL, freshCallerFrames, SEED } from './fixtures/board-session.ts';
import { recordStoreSession } from './fixtures/board-store-session.ts';

const binary = Promise.resolve().then(() => buildPosixBoard());
const hoard = buildFixtureCell('hoard', 'board-cell-memory');
const kernelPath = join(REPO_ROOT, 'build', 'kernel.wasm');
builtFile('kernel.wasm');
const H = 5; // hoard's species in these sessions
const DECLARED = 16384; // test/fixtures/cells/hoard/cell.toml
const RAM = 1024 * 1024;
const STACK = qemuWasm3StackBytes();

type Op = { method: 'take'; n: number; keep: boolean } | { method: 'drop' } | { method: 'hog' } | { method: 'peekStore'; ptr: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ method: fc.constant('take' as const), n: fc.oneof(fc.integer({ min: 0, max: 16_000 }), fc.integer({ min: -4, max: 70_000 })), keep: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ method: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ method: 'hog' as const }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant('peekStore' as const), ptr: fc.oneof(fc.integer({ min: DECLARED - 40, max: DECLARED + 40 }), fc.integer({ min: 0, max: PAGE_BYTES })) }) },
);

test('calls that allocate up to a declared 16 KiB and past it answer on the posix board byte for byte as on V8, frames and fuel (property)', async (t) => {
  const built = await hoard;
  const bin = await binary;
  let outOfMemory = 0;
  let replies = 0;
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
    const calls = ops.map((o): [number, Uint8Array] => {
      const args = o.method === 'take' ? [o.n, o.keep] : o.method === 'peekStore' ? [o.ptr] : [];
      return [H, encodeCall(built.schema, o.method, args)];
    });
    const rec = await recordStoreSession([{ path: built.wasmPath, species: H }], calls);
    const lines = await runPosixBoard(bin, { kernelPath, cellPaths: [built.wasmPath], seed: SEED, fuelPerCall: FUEL }, rec.steps);
    for (const a of rec.answers) {
      if (a?.kind === 'reply') replies++;
      else if (a && decodeError(a.payload).code === ErrorCode.OUT_OF_MEMORY) outOfMemory++;
    }
    const firstDiff = rec.transcript.findIndex((line, i) => lines[i] !== line);
    if (firstDiff >= 0) throw new Error(`line ${firstDiff}: V8 ${rec.transcript[firstDiff]} / board ${lines[firstDiff]}`);
    return lines.length === rec.transcript.length;
  }), { numRuns: 12, seed: 0x5eed });
  t.log(`${replies} replies, ${outOfMemory} OUT_OF_MEMORY answers`);
  t.true(replies > 0 && outOfMemory > 0, 'the runs reached both sides of the limit');
});

/** The module without its cell.memory section, which `cell build` appends last: the whole page again. */
function withoutMemorySection(wasm: Uint8Array): Uint8Array {
  const name = new TextEncoder().encode(MEMORY_SECTION);
  const tail = Uint8Array.of(0, 1 + name.length + 4, name.length, ...name);
  const at = wasm.length - tail.length - 4;
  if (!tail.every((b, i) => wasm[at + i] === b)) throw new Error('the module does not end with its cell.memory section');
  return wasm.slice(0, at);
}

test('the QEMU board allocates only the declared memory: echo takes 48 KiB less heap than the same module without its cell.memory section', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const echo = builtFile(join('cells', 'echo.wasm'));
  t.is(inspectWasm(echo).memoryBytes, DECLARED);
  const dir = join(REPO_ROOT, 'build', 'test-cells', 'board-cell-memory');
  mkdirSync(dir, { recursive: true });
  const whole = join(dir, 'echo-page.wasm');
  writeFileSync(whole, withoutMemorySection(echo));
  t.is(inspectWasm(new Uint8Array(readFileSync(whole))).memoryBytes, undefined);
  const schema = (JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'cells', 'echo.schema.json'), 'utf8')) as { schema: Parameters<typeof encodeCall>[0] }).schema;
  const calls: Array<[number, Uint8Array]> = [[1, encodeCall(schema, 'echo', ['x'.repeat(1000)])], [1, encodeCall(schema, 'reverse', [new Uint8Array(900)])]];
  const heapOf = async (cellPath: string, tag: string) => {
    const rec = await recordStoreSession([{ path: cellPath, species: 1 }], calls);
    const image = buildQemuImage({ kernelPath, cellPaths: [cellPath], ramBytes: RAM, tag });
    const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, [...rec.steps, { op: 'mem' }]);
    t.deepEqual(got.filter((l) => !l.startsWith('maxrss ')), [...rec.transcript, 'ok'], `${tag}: the same answers and fuel as V8`);
    return Number(got.find((l) => l.startsWith('maxrss '))?.split(' ')[1]);
  };
  const declared = await heapOf(join(REPO_ROOT, 'build', 'cells', 'echo.wasm'), 'cell-memory-declared');
  const page = await heapOf(whole, 'cell-memory-page');
  t.log(`heap high-water mark: ${declared} bytes with echo's declared ${DECLARED}, ${page} with a whole page`);
  t.true(page - declared >= PAGE_BYTES - DECLARED - 64, `the whole page costs ${page - declared} bytes more`);
});

test('a cell that runs out of its declared memory is replaced 50 times on the QEMU board without its heap growing, each answer as on V8', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const built = await hoard;
  const hog = encodeCall(built.schema, 'hog', []);
  const frames = await freshCallerFrames(builtFile('kernel.wasm'), 50, 1, hog);
  const steps: BoardStep[] = [{ op: 'now', ms: 0 }, { op: 'init', node: BOARD }, { op: 'host', slot: 0, species: 1 }, ...frames];
  const v8 = await V8ScriptedBoard.create({ kernel: builtFile('kernel.wasm'), cells: [new Uint8Array(readFileSync(built.wasmPath))], seed: SEED, fuelPerCall: FUEL });
  for (const s of steps) v8.step(s);
  const image = buildQemuImage({ kernelPath, cellPaths: [built.wasmPath], ramBytes: RAM, tag: 'cell-memory-replace' });
  const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: STACK }, steps);
  t.deepEqual(got.filter((l) => !l.startsWith('maxrss ')), v8.transcript, 'the same answers and fuel as V8');
  const heap = got.filter((l) => l.startsWith('maxrss ')).map((l) => Number(l.split(' ')[1]));
  t.is(heap.length, 2);
  t.is(heap[1], heap[0], `heap high-water mark after 2 replacements ${heap[0]} bytes, after 50 ${heap[1]} bytes`);
});
