import test from 'ava';
import binaryen from 'binaryen';
import { compileAssemblyScript } from '../host/build/asc.ts';
import fc from 'fast-check';
import wabtInit from 'wabt';
import { instrumentFuel, meterCosts, START_FUEL } from '../host/build/meter.ts';
import { FUEL_EXPORT } from '../host/build/cell-globals.ts';
import { checkProfile } from '../host/build/profile.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import { compileFixtureCell } from './fixtures/fixture-cells.ts';

const wabt = await wabtInit();

function wat(text: string, features: Record<string, boolean> = {}): Uint8Array {
  const mod = wabt.parseWat('test.wat', text, features);
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

interface Metered {
  exports: Record<string, any>;
  fuel: WebAssembly.Global;
}

function instantiate(wasm: Uint8Array): Metered {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), {
    hal: { panic: () => { throw new Error('panic'); }, log: () => {} },
  });
  const exports = inst.exports as Record<string, any>;
  return { exports, fuel: exports[FUEL_EXPORT] as WebAssembly.Global };
}

/** Fuel one call used, from a full budget. */
function used(m: Metered, run: () => unknown, budget = 0x7fffffff): number {
  m.fuel.value = budget;
  run();
  return budget - (m.fuel.value as number);
}

// A countdown loop whose executed instructions are known exactly: per iteration
// local.get, i32.const, i32.sub, local.set, local.get, br_if (6); plus loop, end, and the function's end.
const COUNTDOWN = wat(`(module (memory 1 1)
  (func (export "run") (param $n i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))))`);

const echo = await compileFixtureCell('echo');
const echoMetered = instrumentFuel(echo);

/** The echo fixture's op 2: a loop of n iterations. */
function spinEcho(m: Metered, n: number): number {
  const mem = new DataView((m.exports.memory as WebAssembly.Memory).buffer);
  const at = m.exports.cell_in() as number;
  mem.setUint8(at, 2);
  mem.setUint32(at + 1, n, true);
  return used(m, () => m.exports.cell_handle(5));
}

test('the metered module validates, stays in the profile and exports cell_fuel', (t) => {
  t.true(WebAssembly.validate(echoMetered as Uint8Array<ArrayBuffer>));
  const report = checkProfile(echoMetered, { kind: 'cell', maxPages: 1 });
  t.deepEqual(report.problems, []);
  t.deepEqual(report.features, []);
  t.true(report.exports.some((e) => e.name === FUEL_EXPORT && e.kind === 'global'));
  const fuel = instantiate(echoMetered).fuel;
  t.is(fuel.value, START_FUEL);
  fuel.value = 7; // mutable, so the host can refill it
  t.is(fuel.value, 7);
});

test('output is deterministic: same input, same bytes', (t) => {
  t.deepEqual(instrumentFuel(echo), echoMetered);
  t.deepEqual(instrumentFuel(COUNTDOWN), instrumentFuel(COUNTDOWN));
  t.deepEqual(instrumentFuel(echo, { startFuel: 5 }), instrumentFuel(echo, { startFuel: 5 }));
});

test('output does not depend on the binaryen options an earlier compile in the process left set', async (t) => {
  const options = (o: number, sh: number, on: boolean) => {
    binaryen.setOptimizeLevel(o);
    binaryen.setShrinkLevel(sh);
    binaryen.setGenerateStackIR(on);
    binaryen.setOptimizeStackIR(on);
    binaryen.setLowMemoryUnused(on);
    binaryen.setFastMath(on);
    binaryen.setClosedWorld(on);
  };
  // The example echo cell as `cell build` compiles it (the fixture cells are too small to show it).
  const cell = (await compileAssemblyScript({ entries: ['build/gen/echo/entry.ts'], target: 'mcu', runtime: 'minimal' })).binary;
  options(4, 2, true); // as an mcu AssemblyScript compile leaves them
  const afterCompile = instrumentFuel(cell);
  options(2, 1, false); // binaryen's defaults: no compile ran in this process (a build/asc-cache hit)
  t.deepEqual(instrumentFuel(cell), afterCompile);
  options(3, 0, true); // as a host-target compile leaves them
  t.deepEqual(instrumentFuel(cell), afterCompile);
});

test('fuel used is deterministic across runs and instances', (t) => {
  const a = instantiate(echoMetered);
  const b = instantiate(instrumentFuel(echo));
  const first = spinEcho(a, 37);
  t.is(spinEcho(a, 37), first);
  t.is(spinEcho(b, 37), first);
});

test('fuel grows linearly with loop iterations: used(n) strictly increasing and >= n', (t) => {
  const m = instantiate(echoMetered);
  const handle = meterCosts(echo).find((f) => f.loops.length === 1)!;
  const perIteration = handle.loops[0];
  const base = spinEcho(m, 0);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 5000 }), (n, k) => {
      const a = spinEcho(m, n);
      const b = spinEcho(m, n + k);
      return b > a && a >= n && a === base + n * perIteration;
    }),
  );
  t.true(perIteration > 0);
});

test('never undercounts: a loop with a known instruction count', (t) => {
  const m = instantiate(instrumentFuel(COUNTDOWN));
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => used(m, () => m.exports.run(n)) >= 6 * n + 3),
  );
  const [costs] = meterCosts(COUNTDOWN);
  t.is(costs.loops.length, 1);
  t.true(costs.loops[0] >= 6);
});

test('an infinite loop ends in a trap with the fuel below zero', (t) => {
  const m = instantiate(instrumentFuel(wat('(module (memory 1 1) (func (export "spin") (loop $l (br $l))))')));
  m.fuel.value = 100_000;
  t.throws(() => m.exports.spin(), { instanceOf: WebAssembly.RuntimeError, message: /unreachable/ });
  t.true((m.fuel.value as number) < 0);
});

test('recursion pays at every entry', (t) => {
  const m = instantiate(instrumentFuel(wat(`(module (memory 1 1)
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))
        (else (i32.const 0)))))`)));
  const one = used(m, () => m.exports.down(1)) - used(m, () => m.exports.down(0));
  t.true(one > 0);
  t.is(used(m, () => m.exports.down(100)), used(m, () => m.exports.down(0)) + 100 * one);
  m.fuel.value = 50 * one;
  t.throws(() => m.exports.down(1000), { instanceOf: WebAssembly.RuntimeError });
  t.true((m.fuel.value as number) < 0);
});

test('the start function runs on the start fuel', (t) => {
  const mod = wat(`(module (memory 1 1) (global $g (mut i32) (i32.const 0))
    (func $init (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 1000)))))
    (start $init))`);
  t.notThrows(() => instantiate(instrumentFuel(mod)));
  t.throws(() => instantiate(instrumentFuel(mod, { startFuel: 100 })), { instanceOf: WebAssembly.RuntimeError });
  t.throws(() => instrumentFuel(mod, { startFuel: -1 }), { message: /startFuel must be an integer/ });
});

test('custom sections such as cell.schema survive metering', (t) => {
  const name = new TextEncoder().encode('cell.schema');
  const json = new TextEncoder().encode('{"name":"echo"}');
  const section = [name.length, ...name, ...json];
  const withSchema = new Uint8Array([...echo, 0, section.length, ...section]);
  t.deepEqual(inspectWasm(instrumentFuel(withSchema)).schema, { name: 'echo' });
});

test('bad input is refused with a clear error', (t) => {
  t.throws(() => instrumentFuel(new TextEncoder().encode('not wasm')), { message: /instrumentFuel: not a WebAssembly module: bad magic/ });
  t.throws(() => instrumentFuel(echoMetered), { message: /already exports "cell_fuel"/ });
  const simd = wat('(module (memory 1 1) (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))', { simd: true });
  t.throws(() => instrumentFuel(simd), { message: /function 0 uses SIMD\w+ expression .*outside the firmware profile/ });
  const invalid = new Uint8Array([...COUNTDOWN]);
  invalid[invalid.length - 2] = 0x7f; // corrupt the code section
  t.throws(() => instrumentFuel(invalid), { message: /instrumentFuel: / });
});
