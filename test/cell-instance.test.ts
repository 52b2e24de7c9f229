import test from 'ava';
import fc from 'fast-check';
import wabtInit from 'wabt';
import { CellInstance, CellLoadError, type CellInstanceOptions } from '../host/runtime/cell-instance.ts';
import { instrumentFuel } from '../host/build/meter.ts';
import { decodeCbor } from '../host/wire/cbor.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';
import { builtFixtureCell, compileFixtureCell } from './fixtures/fixture-cells.ts';

const wabt = await wabtInit();
const OPTS: CellInstanceOptions = { maxPages: 1, fuelPerCall: 200_000 };
const bytes = (...b: number[]) => new Uint8Array(b);

function errorOf(result: { kind: string; bytes: Uint8Array }): [number, string] {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  return decodeCbor(result.bytes) as [number, string];
}

test('a normal cell: replies, cell-made errors, logs, fuel', async (t) => {
  const logs: Array<[number, string]> = [];
  const cell = await CellInstance.load(await builtFixtureCell('echo'), { ...OPTS, onLog: (level, text) => logs.push([level, text]) });

  const echo = cell.call(bytes(0, 1, 2, 3));
  t.is(echo.kind, 'reply');
  t.deepEqual(echo.bytes, bytes(1, 2, 3));
  t.true(echo.fuelUsed > 0);
  t.is(cell.call(bytes(0, 1, 2, 3)).fuelUsed, echo.fuelUsed, 'the same call costs the same fuel');

  t.deepEqual(errorOf(cell.call(bytes(1))), [ErrorCode.CELL_ERROR, 'nope']);

  t.deepEqual(cell.call(bytes(3)), { kind: 'reply', bytes: new Uint8Array(), fuelUsed: cell.call(bytes(3)).fuelUsed });
  t.deepEqual(logs, [[1, 'héllo'], [1, 'héllo']]);

  t.false(cell.poisoned);
  t.deepEqual(cell.stats, { calls: 5, traps: 0, outOfFuel: 0, outOfMemory: 0, reinstantiations: 0, fuelTotal: cell.stats.fuelTotal });
  t.true(cell.stats.fuelTotal >= 2 * echo.fuelUsed);
});

test('a request larger than cell_in_cap is TOO_LARGE without running the cell', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('echo'), OPTS);
  const result = cell.call(new Uint8Array(257));
  t.deepEqual(errorOf(result), [ErrorCode.TOO_LARGE, "request of 257 bytes exceeds the cell's 256-byte input buffer"]);
  t.is(result.fuelUsed, 0);
  t.is(cell.stats.fuelTotal, 0);
  t.is(cell.stats.traps, 0);
});

test('handleInto: hal.cell_call lengths, and results too big for the buffer', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('echo'), OPTS);
  const out = new Uint8Array(64);
  t.is(cell.handleInto(bytes(0, 9, 8), out), 2);
  t.deepEqual(out.subarray(0, 2), bytes(9, 8));

  const n = cell.handleInto(bytes(1), out);
  t.true(n < 0);
  t.deepEqual(decodeCbor(out.subarray(0, -n)), [ErrorCode.CELL_ERROR, 'nope']);

  const big = new Uint8Array(41); // op 0 + 40 bytes to echo into a 32-byte buffer
  const small = new Uint8Array(32);
  const m = cell.handleInto(big, small);
  t.true(m < 0);
  t.is((decodeCbor(small.subarray(0, -m)) as [number, string])[0], ErrorCode.TOO_LARGE);
  t.throws(() => cell.handleInto(big, new Uint8Array(4)), { instanceOf: RangeError, message: /cannot hold even an ERROR payload/ });
});

test('an infinite loop ends OUT_OF_FUEL and the same instance keeps serving', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('spin'), OPTS);
  const spun = cell.call(bytes(1));
  t.deepEqual(errorOf(spun), [ErrorCode.OUT_OF_FUEL, `out of fuel after ${OPTS.fuelPerCall} instructions`]);
  t.is(spun.fuelUsed, OPTS.fuelPerCall);
  t.true(cell.poisoned);

  t.deepEqual(cell.call(bytes(2, 3)), { kind: 'reply', bytes: bytes(2, 3), fuelUsed: cell.call(bytes(2, 3)).fuelUsed });
  t.false(cell.poisoned);
  t.like(cell.stats, { calls: 3, traps: 1, outOfFuel: 1, outOfMemory: 0, reinstantiations: 1 });
  t.true(cell.stats.fuelTotal > OPTS.fuelPerCall);
});

test('unreachable is a CELL_TRAP, then the cell recovers', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('trap'), OPTS);
  t.deepEqual(errorOf(cell.call(bytes(1))), [ErrorCode.CELL_TRAP, 'trap: unreachable']);
  t.deepEqual(cell.call(bytes(7)).bytes, bytes(7));
  t.like(cell.stats, { traps: 1, outOfFuel: 0, outOfMemory: 0, reinstantiations: 1 });
});

test('an abort reaches hal.panic: CELL_TRAP with the message and its source position', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('echo'), OPTS);
  const [code, message] = errorOf(cell.call(bytes(4)));
  t.is(code, ErrorCode.CELL_TRAP);
  t.regex(message, /^trap: abort: boom at test\/fixtures\/cells\/echo\.ts:\d+:\d+$/);
  t.regex(cell.lastPanic!, /^boom at /);
  t.deepEqual(cell.call(bytes(0, 5)).bytes, bytes(5));
});

test('a reply length beyond the output buffer is a CELL_TRAP, never an out-of-bounds read', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('echo'), OPTS);
  t.deepEqual(errorOf(cell.call(bytes(5))), [ErrorCode.CELL_TRAP, "trap: the cell returned a reply of 257 bytes, beyond its 256-byte output buffer"]);
  t.deepEqual(cell.call(bytes(0, 1)).bytes, bytes(1));
});

test('allocating until the one-page memory is full is OUT_OF_MEMORY, and the next call starts fresh', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('oom'), { ...OPTS, fuelPerCall: 10_000_000 });
  t.deepEqual(cell.call(bytes(0)).bytes, bytes(0), 'nothing kept yet');
  const oom = cell.call(bytes(1));
  t.deepEqual(errorOf(oom), [ErrorCode.OUT_OF_MEMORY, "out of memory: memory.grow failed: the cell's 1-page memory is full"]);
  t.true(oom.fuelUsed > 0 && oom.fuelUsed < 10_000_000);
  t.deepEqual(cell.call(bytes(0)).bytes, bytes(0), 'a fresh instance keeps nothing');
  t.like(cell.stats, { traps: 1, outOfFuel: 0, outOfMemory: 1, reinstantiations: 1 });
});

test('without the grow guard the same exhaustion is only a CELL_TRAP (AS 0.28 traps with a bare unreachable)', async (t) => {
  const cell = await CellInstance.load(instrumentFuel(await compileFixtureCell('oom')), { ...OPTS, fuelPerCall: 10_000_000 });
  t.deepEqual(errorOf(cell.call(bytes(1))), [ErrorCode.CELL_TRAP, 'trap: unreachable']);
});

test('recursion without end overflows the stack: CELL_TRAP, not a crash', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('recurse'), { ...OPTS, fuelPerCall: 0x7fffffff });
  const [code, message] = errorOf(cell.call(bytes(1)));
  t.is(code, ErrorCode.CELL_TRAP);
  t.regex(message, /^trap: .*stack/i);
  t.deepEqual(cell.call(bytes(4, 2)).bytes, bytes(4, 2));
  t.like(cell.stats, { traps: 1, reinstantiations: 1 });
});

test('any sequence of runaway and normal calls: never throws, normal calls always answer', async (t) => {
  const cell = await CellInstance.load(await builtFixtureCell('spin'), { ...OPTS, fuelPerCall: 20_000 });
  let runaways = 0;
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant('spin' as const), fc.uint8Array({ minLength: 1, maxLength: 80 })), { maxLength: 8 }), (ops) => {
      for (const op of ops) {
        if (op === 'spin') {
          runaways++;
          if (errorOf(cell.call(bytes(1)))[0] !== ErrorCode.OUT_OF_FUEL) return false;
        } else {
          const payload = op[0] === 1 ? op.subarray(1) : op; // byte 0 == 1 means spin
          if (payload.length === 0) continue;
          const r = cell.call(payload);
          const ok = payload.length <= 64 ? r.kind === 'reply' && Buffer.compare(r.bytes, payload) === 0 : errorOf(r)[0] === ErrorCode.TOO_LARGE;
          if (!ok) return false;
        }
      }
      return true;
    }),
    { numRuns: 40 },
  );
  t.is(cell.stats.outOfFuel, runaways);
  t.is(cell.stats.traps, runaways);
});

test('load refuses modules over the memory cap, without a maximum, unmetered, or not wasm', async (t) => {
  const host16 = instrumentFuel(await compileFixtureCell('echo', 'host'));
  const over = await t.throwsAsync(CellInstance.load(host16, OPTS), { instanceOf: CellLoadError });
  t.regex(over!.message, /memory maximum of 16 pages exceeds the 1-page cap/);
  await t.notThrowsAsync(CellInstance.load(host16, { ...OPTS, maxPages: 16 }));

  const mod = wabt.parseWat('nomax.wat', `(module (memory (export "memory") 1)
    (func (export "cell_in") (result i32) (i32.const 0)) (func (export "cell_in_cap") (result i32) (i32.const 16))
    (func (export "cell_out") (result i32) (i32.const 16)) (func (export "cell_out_cap") (result i32) (i32.const 16))
    (func (export "cell_handle") (param i32) (result i32) (i32.const 0)))`, {});
  const noMax = instrumentFuel(mod.toBinary({}).buffer);
  mod.destroy();
  const unbounded = await t.throwsAsync(CellInstance.load(noMax, OPTS), { instanceOf: CellLoadError });
  t.regex(unbounded!.message, /no maximum/);

  const unmetered = await t.throwsAsync(CellInstance.load(await compileFixtureCell('echo'), OPTS), { instanceOf: CellLoadError });
  t.regex(unmetered!.message, /does not export the "cell_fuel" global: meter it with instrumentFuel/);

  await t.throwsAsync(CellInstance.load(new TextEncoder().encode('garbage, not wasm'), OPTS), { instanceOf: CellLoadError, message: /bad magic/ });
  await t.throwsAsync(CellInstance.load(await builtFixtureCell('echo'), { maxPages: 1, fuelPerCall: 0 }), { instanceOf: RangeError, message: /fuelPerCall/ });
  await t.throwsAsync(CellInstance.load(await builtFixtureCell('echo'), { maxPages: 1, fuelPerCall: 2 ** 31 }), { instanceOf: RangeError, message: /fuelPerCall/ });
});
