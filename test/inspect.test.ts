import test from 'ava';
import fc from 'fast-check';
import wabtInit from 'wabt';
import { inspectWasm, WasmFormatError, SCHEMA_SECTION } from '../host/build/inspect.ts';
import { compileFixtureCell } from './fixtures/fixture-cells.ts';

const wabt = await wabtInit();

function wat(text: string): Uint8Array {
  const mod = wabt.parseWat('test.wat', text, { mutable_globals: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function withCustomSection(wasm: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb(nameBytes.length), ...nameBytes, ...payload];
  return new Uint8Array([...wasm, 0, ...uleb(body.length), ...body]);
}

const KNOWN = wat(`(module
  (import "hal" "log" (func (param i32 i32 i32)))
  (import "hal" "now" (func (result f64)))
  (memory (export "memory") 1 1)
  (global (export "g") (mut i32) (i32.const 0))
  (func (export "f") (param i32) (result i32) (local.get 0)))`);

test('facts of a known module', (t) => {
  const facts = inspectWasm(KNOWN);
  t.is(facts.sizeBytes, KNOWN.length);
  t.deepEqual(facts.memory, { initialPages: 1, maximumPages: 1, shared: false, memory64: false, imported: false });
  t.deepEqual(facts.imports, [
    { module: 'hal', name: 'log', kind: 'function', signature: { params: ['i32', 'i32', 'i32'], results: [] } },
    { module: 'hal', name: 'now', kind: 'function', signature: { params: [], results: ['f64'] } },
  ]);
  t.deepEqual(facts.exports, [
    { name: 'memory', kind: 'memory' },
    { name: 'g', kind: 'global' },
    { name: 'f', kind: 'function' },
  ]);
  t.deepEqual(facts.customSections, []);
  t.is(facts.schema, undefined);
});

test('memory without a maximum, imported memory, no memory', (t) => {
  t.deepEqual(inspectWasm(wat('(module (memory 2))')).memory, { initialPages: 2, maximumPages: null, shared: false, memory64: false, imported: false });
  const imported = inspectWasm(wat('(module (import "env" "memory" (memory 1 3)))'));
  t.deepEqual(imported.memory, { initialPages: 1, maximumPages: 3, shared: false, memory64: false, imported: true });
  t.is(imported.imports[0].kind, 'memory');
  t.is(inspectWasm(wat('(module)')).memory, null);
});

test('the cell.schema custom section is parsed as JSON', (t) => {
  const schema = { name: 'counter', methods: [{ name: 'add', params: ['u32'], result: 'u32' }] };
  const wasm = withCustomSection(withCustomSection(KNOWN, 'other', new Uint8Array([1, 2])), SCHEMA_SECTION, new TextEncoder().encode(JSON.stringify(schema)));
  const facts = inspectWasm(wasm);
  t.deepEqual(facts.customSections, ['other', SCHEMA_SECTION]);
  t.deepEqual(facts.schema, schema);
});

test('a cell.schema section that is not JSON is a clear error', (t) => {
  const wasm = withCustomSection(KNOWN, SCHEMA_SECTION, new TextEncoder().encode('{nope'));
  const err = t.throws(() => inspectWasm(wasm), { instanceOf: WasmFormatError });
  t.regex(err!.message, /cell\.schema.*not valid JSON/);
});

test('an AssemblyScript cell: fixed one-page memory, hal imports, the cell ABI exports', async (t) => {
  const facts = inspectWasm(await compileFixtureCell('echo'));
  t.like(facts.memory, { initialPages: 1, maximumPages: 1, imported: false });
  t.deepEqual(facts.imports.map((i) => `${i.module}.${i.name}`), ['hal.panic', 'hal.log']);
  for (const name of ['memory', 'cell_in', 'cell_in_cap', 'cell_out', 'cell_out_cap', 'cell_handle']) {
    t.true(facts.exports.some((e) => e.name === name), name);
  }
});

test('garbage input gives a clear error', (t) => {
  t.throws(() => inspectWasm(new Uint8Array()), { instanceOf: WasmFormatError, message: /only 0 bytes/ });
  t.throws(() => inspectWasm(new TextEncoder().encode('hello, world')), { instanceOf: WasmFormatError, message: /bad magic bytes 68 65 6c 6c/ });
  t.throws(() => inspectWasm(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), { instanceOf: WasmFormatError, message: /version 2/ });
  t.throws(() => inspectWasm(KNOWN.subarray(0, KNOWN.length - 3)), { instanceOf: WasmFormatError, message: /truncated/ });
  t.throws(() => inspectWasm('wasm' as unknown as Uint8Array), { instanceOf: WasmFormatError, message: /expects a Uint8Array/ });
});

test('any byte string after a valid header: facts or a WasmFormatError, never another exception', (t) => {
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
      try {
        inspectWasm(new Uint8Array([...header, ...tail]));
      } catch (err) {
        if (!(err instanceof WasmFormatError)) throw err;
      }
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: KNOWN.length }), fc.integer({ min: 8, max: KNOWN.length - 1 }), fc.integer({ min: 0, max: 255 }), (cut, at, value) => {
      const bytes = KNOWN.slice(0, Math.max(cut, 8));
      if (at < bytes.length) bytes[at] = value;
      try {
        inspectWasm(bytes);
      } catch (err) {
        if (!(err instanceof WasmFormatError)) throw err;
      }
    }),
  );
  t.pass();
});
