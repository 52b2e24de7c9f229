import test from 'ava';
import wabtInit from 'wabt';
import { guardMemoryGrow } from '../host/build/grow-guard.ts';
import { OOM_EXPORT } from '../host/build/cell-globals.ts';
import { checkProfile } from '../host/build/profile.ts';

const wabt = await wabtInit();

function wat(text: string): Uint8Array {
  const mod = wabt.parseWat('test.wat', text, {});
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

function instantiate(wasm: Uint8Array): { grow(pages: number): number; flag: WebAssembly.Global } {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)).exports as Record<string, any>;
  return { grow: exports.grow, flag: exports[OOM_EXPORT] };
}

const growIn = (limits: string) => wat(`(module (memory ${limits}) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);

test('a grow that cannot succeed raises cell_oom; one that can does not', (t) => {
  const fixed = instantiate(guardMemoryGrow(growIn('1 1')));
  t.is(fixed.flag.value, 0);
  t.is(fixed.grow(0), 1, 'growing by 0 pages succeeds and returns the size');
  t.is(fixed.flag.value, 0);
  t.is(fixed.grow(1), -1);
  t.is(fixed.flag.value, 1);
  t.is(fixed.grow(0), 1);
  t.is(fixed.flag.value, 1, 'sticky until the host clears it');

  const roomy = instantiate(guardMemoryGrow(growIn('1 3')));
  t.is(roomy.grow(2), 1);
  t.is(roomy.flag.value, 0);
  t.is(roomy.grow(1), -1);
  t.is(roomy.flag.value, 1);
});

test('the guarded module is deterministic and stays in the profile', (t) => {
  const guarded = guardMemoryGrow(growIn('1 1'));
  t.deepEqual(guardMemoryGrow(growIn('1 1')), guarded);
  const report = checkProfile(guarded, { kind: 'cell', maxPages: 1 });
  t.deepEqual(report.problems, []);
  t.true(report.exports.some((e) => e.name === OOM_EXPORT && e.kind === 'global'));
});

test('bad input is refused with a clear error', (t) => {
  t.throws(() => guardMemoryGrow(guardMemoryGrow(growIn('1 1'))), { message: /already exports "cell_oom"/ });
  t.throws(() => guardMemoryGrow(wat('(module)')), { message: /no memory to guard/ });
  t.throws(() => guardMemoryGrow(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), { message: /guardMemoryGrow: not a WebAssembly module: bad magic/ });
});
