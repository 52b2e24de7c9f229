// A cell's declared memory below one page (host/build/cell-memory.ts) on the build side and on
// V8: `cell build` records it and refuses a figure the cell cannot run in, the example cells answer
// their worst cases in what they declare exactly as in a whole page, running out of it is
// OUT_OF_MEMORY (not a bare trap), and the HAL holds a cell to its declared bytes. The board side
// (wasm3 allocating only those bytes, the same answers) is test/board-cell-memory.test.ts.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCell, type BuiltCell } from '../host/build/build-cell.ts';
import { cellMemoryFloor, decodeMemorySection, encodeMemorySection, MEMORY_SECTION, PAGE_BYTES, TLSF_ROOT_BYTES } from '../host/build/cell-memory.ts';
import { CellConfigError } from '../host/build/cell-toml.ts';
import { appendCustomSection } from '../host/build/custom-section.ts';
import { inspectWasm, WasmFormatError } from '../host/build/inspect.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { CellInstance, CellLoadError } from '../host/runtime/cell-instance.ts';
import { decodeError, decodeReply, encodeCall } from '../host/sdk/call-codec.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { buildFixtureCell } from './fixtures/built.ts';
import { runWorstCase, worstCasePayloads, WORST_CASE_CELLS } from './fixtures/cell-worst-cases.ts';

const OUT = join(REPO_ROOT, 'build', 'test', `cell-memory-${process.pid}`);
const FUEL = 50_000_000;

const load = async (b: BuiltCell) => CellInstance.load(new Uint8Array(readFileSync(b.wasmPath)), { maxPages: 1, fuelPerCall: FUEL });

test.serial('each example cell answers its worst-case calls in its declared memory exactly as in a whole page, and carries that figure', async (t) => {
  for (const name of WORST_CASE_CELLS) {
    const dir = join(REPO_ROOT, 'firmware', 'cells', name);
    const declared = await buildCell(dir, { target: 'mcu', outDir: join(OUT, 'declared') });
    const page = await buildCell(dir, { target: 'mcu', outDir: join(OUT, 'page'), memory: PAGE_BYTES });
    t.true(declared.limits.memory < PAGE_BYTES, `${name} declares less than a page`);
    t.is(inspectWasm(new Uint8Array(readFileSync(declared.wasmPath))).memoryBytes, declared.limits.memory);
    const payloads = worstCasePayloads(name, declared.schema, declared.limits.in_bytes);
    const got = runWorstCase(await load(declared), payloads);
    const want = runWorstCase(await load(page), payloads);
    const firstDiff = want.findIndex((a, i) => a.hex !== got[i]!.hex || a.kind !== got[i]!.kind);
    t.is(firstDiff, -1, `${name}: call ${firstDiff} answers ${JSON.stringify(got[firstDiff])} in ${declared.limits.memory} bytes, ${JSON.stringify(want[firstDiff])} in a page`);
    t.false(got.some((a) => a.kind === 'error' && decodeError(Buffer.from(a.hex, 'hex')).code === ErrorCode.OUT_OF_MEMORY), `${name} never runs out of memory`);
  }
});

test.serial('a memory below what the cell needs before any state of its own is refused by cell build, naming the figures', async (t) => {
  const dir = join(REPO_ROOT, 'firmware', 'cells', 'echo');
  const err = await t.throwsAsync(buildCell(dir, { target: 'mcu', outDir: join(OUT, 'small'), memory: 8192 }), { instanceOf: CellConfigError });
  t.regex(err?.message ?? '', /cell\.toml: \[cell\.limits\] memory = 8192 is too small for cell "echo": its static data \(the 1024-byte input and 1024-byte output buffers, constants\) ends at byte \d+, the allocator's root takes 1572 bytes and one call's arguments may need 4096 .* so it needs at least \d+ bytes/);
  const need = Number(/needs at least (\d+) bytes/.exec(err!.message)![1]);
  const built = await buildCell(dir, { target: 'mcu', outDir: join(OUT, 'small'), memory: need });
  t.is(built.memoryFloor, need, 'the figure the error names builds');
  await t.throwsAsync(buildCell(dir, { target: 'mcu', outDir: join(OUT, 'small'), memory: need - 16 }), { instanceOf: CellConfigError });
  t.is(cellMemoryFloor(0, 4096), TLSF_ROOT_BYTES + 8 + 4096 + 256);
});

test.serial('running out of a declared memory is OUT_OF_MEMORY in its own bytes; the next call runs on a fresh instance with all of it', async (t) => {
  const built = await buildFixtureCell('hoard', `cell-memory-${process.pid}`);
  const cell = await load(built);
  const call = (method: string, args: unknown[]) => {
    const r = cell.call(encodeCall(built.schema, method, args));
    return r.kind === 'reply' ? decodeReply(built.schema, method, r.bytes) : decodeError(r.bytes);
  };
  t.is(call('take', [2048, true]), 2048);
  t.deepEqual(call('hog', []), { code: ErrorCode.OUT_OF_MEMORY, name: 'OUT_OF_MEMORY', message: "out of memory: memory.grow failed: the cell's 16384-byte memory is full" });
  t.is(cell.stats.outOfMemory, 1);
  t.is(call('take', [4096, true]), 4096, 'a fresh instance: the kept blocks went with the trapped one');
  // One block larger than what is left of 16 KiB: the same answer, while the page had room.
  t.is((call('take', [12000, false]) as { code: number }).code, ErrorCode.OUT_OF_MEMORY);
});

test.serial('the HAL holds a cell to its declared memory: a store read past it traps on V8 as it does on a board', async (t) => {
  const built = await buildFixtureCell('hoard', `cell-memory-${process.pid}`);
  const cell = await load(built);
  const peek = (ptr: number) => {
    const r = cell.call(encodeCall(built.schema, 'peekStore', [ptr]));
    return r.kind === 'reply' ? decodeReply(built.schema, 'peekStore', r.bytes) : decodeError(r.bytes);
  };
  t.is(peek(16384 - 16), 16);
  t.deepEqual(peek(16384 - 15), { code: ErrorCode.CELL_TRAP, name: 'CELL_TRAP', message: "trap: hal.store_get range 16369+16 is outside the cell's 16384-byte memory" });
});

test('the cell.memory section: what inspectWasm and the host accept and refuse', async (t) => {
  t.is(decodeMemorySection(encodeMemorySection(16384)), 16384);
  for (const bad of [0, 4080, 10008, 65552]) t.throws(() => encodeMemorySection(bad), { instanceOf: RangeError });
  const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const withSection = (payload: Uint8Array, base = empty) => appendCustomSection(base, MEMORY_SECTION, payload);
  t.is(inspectWasm(withSection(encodeMemorySection(8192))).memoryBytes, 8192);
  t.is(inspectWasm(empty).memoryBytes, undefined);
  t.throws(() => inspectWasm(withSection(Uint8Array.of(0, 64, 0))), { instanceOf: WasmFormatError, message: /must hold 4 bytes/ });
  t.throws(() => inspectWasm(withSection(Uint8Array.of(0x18, 0x27, 0, 0))), { instanceOf: WasmFormatError, message: /10008 bytes is not a cell memory/ });
  t.throws(() => inspectWasm(withSection(encodeMemorySection(8192), withSection(encodeMemorySection(8192)))), { instanceOf: WasmFormatError, message: /appears twice/ });
  const hoard = new Uint8Array(readFileSync((await buildFixtureCell('hoard', `cell-memory-${process.pid}`)).wasmPath));
  await t.throwsAsync(CellInstance.load(withSection(Uint8Array.of(1, 2, 3, 4), hoard), { maxPages: 1, fuelPerCall: FUEL }), { instanceOf: CellLoadError, message: /cell\.memory/ });
});
