import test from 'ava';
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { assertProfile, checkProfile, FORBIDDEN_FEATURES } from '../host/build/profile.ts';
import { scanFeatures } from '../host/build/wasm-features.ts';
import { builtFixtureCell, compileFixtureCell } from './fixtures/fixture-cells.ts';
import { wabtFeatures, watToWasm as wat } from './harness/wabt-features.ts';

const cell = { kind: 'cell', maxPages: 1 } as const;

test('an AssemblyScript cell passes, before and after the build rewrites', async (t) => {
  for (const wasm of [await compileFixtureCell('echo'), await builtFixtureCell('echo'), await builtFixtureCell('oom')]) {
    const report = checkProfile(wasm, cell);
    t.deepEqual(report.problems, []);
    t.true(report.ok);
    t.deepEqual(report.memory, { initialPages: 1, maximumPages: 1 });
    t.deepEqual(report.features, []);
    t.true(report.imports.every((i) => i.module === 'hal' && ['panic', 'log'].includes(i.name)));
  }
});

test('an env.abort import is named, with the fix', (t) => {
  const report = checkProfile(wat('(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory 1 1))'), cell);
  t.false(report.ok);
  t.is(report.problems.length, 1);
  t.regex(report.problems[0], /import env\.abort: only module "hal".*--use abort=firmware\/hal\/hal\/halAbort/);
});

test('a SIMD instruction is named as the simd feature', (t) => {
  const report = checkProfile(wat('(module (memory 1 1) (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))'), cell);
  t.false(report.ok);
  t.deepEqual(report.features, ['simd']);
  t.is(report.problems.length, 1);
  t.regex(report.problems[0], /feature simd \(SIMD\) is outside the profile/);
});

test('other forbidden features are named too: tail calls, threads', (t) => {
  const tail = checkProfile(wat('(module (memory 1 1) (func $f (return_call $f)))'), cell);
  t.deepEqual(tail.features, ['tail_call']);
  const atomics = checkProfile(wat('(module (memory 1 1) (func (result i32) (i32.atomic.load (i32.const 0))))'), cell);
  t.deepEqual(atomics.features, ['threads']);
  t.regex(atomics.problems.join('\n'), /feature threads/);
});

test('an imported memory is named', (t) => {
  const report = checkProfile(wat('(module (import "env" "memory" (memory 1 1)))'), cell);
  t.false(report.ok);
  t.true(report.problems.some((p) => /memory: imported from env\.memory; it must be declared in the module/.test(p)), report.problems.join('\n'));
  t.true(report.problems.some((p) => /import env\.memory/.test(p)));
});

test('a memory without a maximum is named', (t) => {
  const report = checkProfile(wat('(module (memory 1))'), cell);
  t.deepEqual(report.problems, ['memory: no maximum (initial 1 pages); the profile needs initial == maximum']);
  t.deepEqual(report.memory, { initialPages: 1, maximumPages: null });
});

test('two pages in a one-page budget, and initial != maximum, are named', (t) => {
  t.deepEqual(checkProfile(wat('(module (memory 2 2))'), cell).problems, ['memory: maximum 2 pages exceeds the budget of 1 page(s)']);
  t.true(checkProfile(wat('(module (memory 2 2))'), { kind: 'kernel', maxPages: 16 }).ok);
  t.regex(checkProfile(wat('(module (memory 1 2))'), { kind: 'kernel', maxPages: 4 }).problems.join('\n'), /initial 1 pages != maximum 2 pages/);
});

test('cells may import only hal.panic, hal.log and the store; the kernel the whole HAL, with its signatures', (t) => {
  const mod = wat(`(module
    (import "hal" "send" (func (param i32 i32)))
    (import "hal" "cell_call" (func (param i32 i32 i32 i32 i32) (result i32)))
    (memory 1 1))`);
  const asCell = checkProfile(mod, cell);
  t.deepEqual(asCell.problems, [
    'import hal.send: cells may import only hal.panic, hal.log, hal.store_get, hal.store_put, hal.store_del, hal.store_next',
    'import hal.cell_call: cells may import only hal.panic, hal.log, hal.store_get, hal.store_put, hal.store_del, hal.store_next',
  ]);
  t.true(checkProfile(mod, { kind: 'kernel', maxPages: 1 }).ok);

  const bad = checkProfile(wat(`(module
    (import "hal" "log" (func (param i32)))
    (import "hal" "launch" (func))
    (import "hal" "panic" (global i32))
    (memory 1 1))`), { kind: 'kernel', maxPages: 1 });
  t.deepEqual(bad.problems, [
    "import hal.log: signature (i32) -> () does not match the HAL's (i32, i32, i32) -> ()",
    'import hal.launch: not a HAL function (the HAL has send, now, random, log, panic, cell_call, deliver, spawn, retire, store_get, store_put, store_del, store_next, sign, verify, x25519, mac, hash, spore_get, spore_put, spore_done)',
    'import hal.panic: a global; the HAL provides only functions',
  ]);
});

test('assertProfile throws one error naming every problem', (t) => {
  const mod = wat(`(module
    (import "env" "abort" (func (param i32 i32 i32 i32)))
    (memory 3)
    (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))`);
  const err = t.throws(() => assertProfile(mod, cell));
  t.regex(err!.message, /cell module violates the firmware profile/);
  t.regex(err!.message, /env\.abort/);
  t.regex(err!.message, /no maximum/);
  t.regex(err!.message, /feature simd/);
  t.notThrows(() => assertProfile(wat('(module (import "hal" "panic" (func (param i32 i32 i32 i32))) (memory 1 1))'), cell));
});

test('an invalid module and non-wasm input are reported, not thrown', (t) => {
  const invalid = checkProfile(wat('(module (memory 1 1) (func (result i32) (i64.const 0)))'), cell);
  t.false(invalid.ok);
  t.regex(invalid.problems[0], /invalid module: .*expected i32, got i64/);
  const garbage = checkProfile(new TextEncoder().encode('not wasm at all'), cell);
  t.false(garbage.ok);
  t.regex(garbage.problems[0], /bad magic/);
  t.throws(() => assertProfile(new Uint8Array(3), cell), { message: /only 3 bytes/ });
  t.throws(() => checkProfile(new Uint8Array(), { kind: 'cell', maxPages: 0 }), { message: /maxPages must be a positive integer/ });
});

// One function per feature (and some allowed ones); a module is any subset of them. The scanner
// must name exactly what wabt's validator finds needed.
const SNIPPETS: Record<string, string> = {
  plain: '(func (result i32) (i32.add (i32.const 1) (i32.const 2)))',
  multiValue: '(func (result i32 i32) (i32.const 1) (i32.const 2))',
  signExt: '(func (result i32) (i32.extend8_s (i32.const 200)))',
  satTrunc: '(func (result i32) (i32.trunc_sat_f64_s (f64.const 1e300)))',
  bulk: '(func (memory.fill (i32.const 0) (i32.const 0) (i32.const 4)) (memory.copy (i32.const 0) (i32.const 4) (i32.const 4)))',
  blockTyped: '(func (result i64) (block (result i64) (i64.const -9223372036854775808)))',
  simd: '(func (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4)))',
  simdLoad: '(func (result i32) (i8x16.extract_lane_u 3 (v128.load8_lane offset=4 0 (i32.const 0) (v128.const i64x2 0 0))))',
  relaxed: '(func (result v128) (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0)))',
  atomics: '(func (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))',
  tail: '(func $t (param i32) (return_call $t (local.get 0)))',
  refs: '(func (result i32) (ref.is_null (ref.null extern)))',
  typedSelect: '(func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))',
  exceptions: '(tag $e) (func (try (do (throw $e)) (catch_all)))',
  extConst: '(global i32 (i32.add (i32.const 1) (i32.const 2)))',
  localV128: '(func (local v128))',
};

function moduleOf(names: string[]): Uint8Array {
  return wat(`(module (memory 1 1) ${names.map((n) => SNIPPETS[n]).join(' ')})`);
}

// wabt is the oracle for one snippet at a time: with several, one feature can hide another from
// its validator (exceptions and tail calls turn reference types on), so a module's expected list is
// the union of its snippets' lists.
const oracle = new Map(Object.keys(SNIPPETS).map((n) => [n, wabtFeatures(moduleOf([n]))]));

test('the feature scanner names what wabt finds needed: each snippet alone, then any subset', (t) => {
  for (const [name, expected] of oracle) t.deepEqual(scanFeatures(moduleOf([name])), { features: expected, error: null }, name);
  t.deepEqual(oracle.get('simd'), ['simd']);
  t.deepEqual(oracle.get('plain'), []);
  fc.assert(
    fc.property(fc.subarray(Object.keys(SNIPPETS), { minLength: 0 }), (names) => {
      const expected = FORBIDDEN_FEATURES.filter((f) => names.some((n) => oracle.get(n)!.includes(f)));
      t.deepEqual(scanFeatures(moduleOf(names)), { features: expected, error: null }, names.join(' '));
    }),
    { numRuns: 120 },
  );
});

test('the scanner and wabt agree on the built kernels and cells: no forbidden features', async (t) => {
  for (const file of ['build/kernel.wasm', 'build/kernel.host.wasm', 'build/cells/echo.wasm', 'build/cells/exchange.wasm', 'build/cells/kv.wasm']) {
    const wasm = new Uint8Array(await readFile(file));
    t.deepEqual(scanFeatures(wasm), { features: [], error: null }, file);
    t.deepEqual(wabtFeatures(wasm), [], file);
  }
});

test('memory64, multi-memory and shared memory are named from the sections', (t) => {
  t.deepEqual(checkProfile(wat('(module (memory i64 1 1))'), cell).features, ['memory64']);
  t.deepEqual(checkProfile(wat('(module (memory 1 1) (memory 1 1))'), cell).features, ['multi_memory']);
  t.deepEqual(checkProfile(wat('(module (memory 1 1 shared))'), cell).features, ['threads']);
  t.deepEqual(FORBIDDEN_FEATURES.length, 11);
});

test('a mutated cell never makes the profile check throw: a problem list or ok', async (t) => {
  const base = await builtFixtureCell('echo');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(base.length), (flips, cut) => {
      const wasm = base.slice(0, Math.max(8, cut));
      for (const [at, v] of flips) if (at < wasm.length) wasm[at] = v;
      const report = checkProfile(wasm, cell);
      t.is(report.ok, report.problems.length === 0);
      // What the profile accepts, V8 compiles: nothing invalid gets through.
      if (report.ok) t.notThrows(() => new WebAssembly.Module(wasm));
    }),
    { numRuns: 400 },
  );
});
