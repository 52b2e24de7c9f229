import test from 'ava';
import wabtInit from 'wabt';
import { assertProfile, checkProfile } from '../host/build/profile.ts';
import { builtFixtureCell, compileFixtureCell } from './fixtures/fixture-cells.ts';

const wabt = await wabtInit();

// Parse with every feature on, so the bad modules can be written at all; the profile must catch them.
function wat(text: string): Uint8Array {
  const mod = wabt.parseWat('test.wat', text, {
    simd: true, threads: true, tail_call: true, exceptions: true, reference_types: true, bulk_memory: true,
  });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

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

test('cells may import only hal.panic and hal.log; the kernel the whole HAL, with its signatures', (t) => {
  const mod = wat(`(module
    (import "hal" "send" (func (param i32 i32)))
    (import "hal" "cell_call" (func (param i32 i32 i32 i32 i32) (result i32)))
    (memory 1 1))`);
  const asCell = checkProfile(mod, cell);
  t.deepEqual(asCell.problems, [
    'import hal.send: cells may import only hal.panic and hal.log',
    'import hal.cell_call: cells may import only hal.panic and hal.log',
  ]);
  t.true(checkProfile(mod, { kind: 'kernel', maxPages: 1 }).ok);

  const bad = checkProfile(wat(`(module
    (import "hal" "log" (func (param i32)))
    (import "hal" "launch" (func))
    (import "hal" "panic" (global i32))
    (memory 1 1))`), { kind: 'kernel', maxPages: 1 });
  t.deepEqual(bad.problems, [
    "import hal.log: signature (i32) -> () does not match the HAL's (i32, i32, i32) -> ()",
    'import hal.launch: not a HAL function (the HAL has send, now, random, log, panic, cell_call, deliver, spawn, retire, sign, verify, x25519, mac, hash)',
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
  t.regex(invalid.problems[0], /invalid module \(wabt\): .*type mismatch/);
  const garbage = checkProfile(new TextEncoder().encode('not wasm at all'), cell);
  t.false(garbage.ok);
  t.regex(garbage.problems[0], /bad magic/);
  t.throws(() => assertProfile(new Uint8Array(3), cell), { message: /only 3 bytes/ });
  t.throws(() => checkProfile(new Uint8Array(), { kind: 'cell', maxPages: 0 }), { message: /maxPages must be a positive integer/ });
});
