// The example cells, built for the mcu target and called through the raw cell ABI (CellInstance),
// with payloads from encodeCall and answers read by decodeReply / decodeError.
import test from 'ava';
import fc from 'fast-check';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../host/build/asc.ts';
import { buildCell, type BuiltCell } from '../host/build/build-cell.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import { CELL_HAL_IMPORTS } from '../host/build/profile.ts';
import { CellInstance } from '../host/runtime/cell-instance.ts';
import { decodeError, decodeReply, encodeCall, type CellErrorPayload } from '../host/sdk/call-codec.ts';
import { findMethod, type CellSchema, type ResultType } from '../host/sdk/schema.ts';
import { speciesIdOf } from '../host/sdk/species.ts';
import { encodeCbor } from '../host/wire/cbor.ts';
import { ErrorCode } from '../host/wire/error-codes.ts';

const OUT = join(REPO_ROOT, 'build', 'test', 'cells');
const FUEL = 5_000_000;

interface Loaded {
  built: BuiltCell;
  wasm: Uint8Array;
  instance: CellInstance;
}

// Cells keep state between calls, so the tests run serially against one instance per cell.
const cells = new Map<string, Loaded>();

async function load(dir: string, genDir?: string): Promise<Loaded> {
  const built = await buildCell(join(REPO_ROOT, dir), { target: 'mcu', outDir: OUT, genDir });
  const wasm = new Uint8Array(readFileSync(built.wasmPath));
  const instance = await CellInstance.load(wasm, { maxPages: 1, fuelPerCall: FUEL });
  return { built, wasm, instance };
}

test.before(async () => {
  // One at a time: the compiler is CPU-bound and the test machine has two cores.
  for (const [name, dir] of [['echo', 'firmware/cells/echo'], ['kv', 'firmware/cells/kv'], ['exchange', 'firmware/cells/exchange'], ['types', 'test/fixtures/cells/types']]) {
    cells.set(name, await load(dir));
  }
});

const cell = (name: string) => cells.get(name)!;

type Answer = { ok: true; value: unknown } | { ok: false; error: CellErrorPayload };

function raw(name: string, payload: Uint8Array) {
  return cell(name).instance.call(payload);
}

function call(name: string, method: string, ...args: unknown[]): Answer {
  const { schema } = cell(name).built;
  const r = raw(name, encodeCall(schema, method, args));
  return r.kind === 'reply' ? { ok: true, value: decodeReply(schema, method, r.bytes) } : { ok: false, error: decodeError(r.bytes) };
}

/** The reply of a call that must succeed. */
function ok(name: string, method: string, ...args: unknown[]): unknown {
  const a = call(name, method, ...args);
  if (!a.ok) throw new Error(`${name}.${method} failed: ${a.error.code} ${a.error.message}`);
  return a.value;
}

/** The ERROR payload of a raw call that must fail. */
function error(name: string, payload: Uint8Array): CellErrorPayload {
  const r = raw(name, payload);
  if (r.kind !== 'error') throw new Error(`${name}: expected an ERROR, got a REPLY of ${r.bytes.length} bytes`);
  return decodeError(r.bytes);
}

const index = (name: string, method: string) => findMethod(cell(name).built.schema, method).index;

test.serial('each cell exports exactly the cell ABI, in one fixed page, and carries its schema', (t) => {
  for (const [name, { built, wasm }] of cells) {
    const facts = inspectWasm(wasm);
    const exports = facts.exports.map((e) => `${e.name}:${e.kind}`).sort();
    t.deepEqual(exports.filter((e) => !e.startsWith('cell_oom')), [
      'cell_fuel:global', 'cell_handle:function', 'cell_in:function', 'cell_in_cap:function',
      'cell_out:function', 'cell_out_cap:function', 'memory:memory',
    ], name);
    for (const imp of facts.imports) t.true(imp.module === 'hal' && CELL_HAL_IMPORTS.includes(imp.name), `${name} imports ${imp.module}.${imp.name}`);
    t.is(facts.memory?.initialPages, 1);
    t.is(facts.memory?.maximumPages, 1);
    t.deepEqual(facts.schema, built.schema, name);
    t.is(speciesIdOf(facts.schema as CellSchema), built.speciesId);
    t.is(built.sizeBytes, wasm.length);
    t.log(`${name}: ${wasm.length} bytes, species 0x${built.speciesId.toString(16).padStart(8, '0')}`);
  }
});

test.serial('echo: text, numbers, bytes, void and failure', (t) => {
  t.is(ok('echo', 'echo', 'héllo, wörld ✓ 😀'), 'héllo, wörld ✓ 😀');
  t.is(ok('echo', 'echo', ''), '');
  t.is(ok('echo', 'add', 2, 3), 5);
  t.is(ok('echo', 'add', -7, 3), -4);
  t.is(ok('echo', 'add', 2 ** 31 - 1, 1), -(2 ** 31)); // i32 wraps, as AssemblyScript does
  t.deepEqual(ok('echo', 'reverse', Uint8Array.from([1, 2, 3, 250])), Uint8Array.from([250, 3, 2, 1]));
  t.deepEqual(call('echo', 'refuse', 'not today'), { ok: false, error: { code: ErrorCode.CELL_ERROR, name: 'CELL_ERROR', message: 'not today' } });
  // The failure of one call does not leak into the next.
  t.is(ok('echo', 'echo', 'fine'), 'fine');
  t.true((ok('echo', 'count') as number) >= 4);
});

test.serial('kv: put, get, delete, size, and the fixed-capacity errors', (t) => {
  const kv = 'kv';
  for (const k of ok(kv, 'keys') as string[]) ok(kv, 'delete', k);
  t.is(ok(kv, 'put', 'a', 'apple'), undefined);
  t.is(ok(kv, 'get', 'a'), 'apple');
  t.is(ok(kv, 'put', 'a', 'avocado'), undefined);
  t.is(ok(kv, 'get', 'a'), 'avocado');
  t.is(ok(kv, 'get', 'missing'), null);
  t.is(ok(kv, 'size'), 1);
  t.true(ok(kv, 'delete', 'a'));
  t.false(ok(kv, 'delete', 'a'));
  t.is(ok(kv, 'size'), 0);

  const tooLongKey = call(kv, 'put', 'k'.repeat(33), 'v');
  t.like(tooLongKey, { ok: false, error: { code: ErrorCode.CELL_ERROR, message: 'key too long: 33 bytes, at most 32' } });
  t.like(call(kv, 'put', 'k', 'é'.repeat(65)), { ok: false, error: { code: ErrorCode.CELL_ERROR, message: 'value too long: 130 bytes, at most 128' } });
  t.is(ok(kv, 'put', 'k'.repeat(32), 'v'.repeat(128)), undefined); // exactly at the limits

  for (let i = 1; i < 64; i++) ok(kv, 'put', `key${i}`, `value ${i}`);
  t.is(ok(kv, 'size'), 64);
  t.like(call(kv, 'put', 'one-more', 'x'), { ok: false, error: { code: ErrorCode.CELL_ERROR, name: 'CELL_ERROR', message: 'kv full: all 64 entries are in use' } });
  t.is(ok(kv, 'put', 'key5', 'replacing is fine when full'), undefined);
  t.is(ok(kv, 'get', 'key5'), 'replacing is fine when full');
  t.is(ok(kv, 'size'), 64);
  t.is(cell(kv).instance.stats.traps, 0);
});

test.serial('exchange: orders, cancel, book of structs, book full', (t) => {
  const ex = 'exchange';
  const a = ok(ex, 'place_order', 'BTC', 5n) as bigint;
  const b = ok(ex, 'place_order', 'BTC', 7) as bigint; // a safe-integer number is a fine u64
  const c = ok(ex, 'place_order', 'ETH', 2n ** 64n - 1n) as bigint;
  t.is(typeof a, 'bigint');
  t.is(b, a + 1n);
  t.deepEqual(ok(ex, 'book', 'BTC'), [{ id: a, symbol: 'BTC', amount: 5n }, { id: b, symbol: 'BTC', amount: 7n }]);
  t.deepEqual(ok(ex, 'book', 'ETH'), [{ id: c, symbol: 'ETH', amount: 2n ** 64n - 1n }]);
  t.true(ok(ex, 'cancel', a));
  t.false(ok(ex, 'cancel', a));
  t.deepEqual(ok(ex, 'book', 'BTC'), [{ id: b, symbol: 'BTC', amount: 7n }]);
  t.deepEqual(ok(ex, 'book', 'DOGE'), []);
  t.like(call(ex, 'place_order', 'BTC', 0), { ok: false, error: { code: ErrorCode.CELL_ERROR, message: 'amount must be positive' } });

  for (const id of [b, c]) ok(ex, 'cancel', id);
  const ids: bigint[] = [];
  for (let i = 0; i < 64; i++) ids.push(ok(ex, 'place_order', 'SOL', 1) as bigint);
  t.like(call(ex, 'place_order', 'SOL', 1), { ok: false, error: { code: ErrorCode.CELL_ERROR, message: 'book full: 64 open orders' } });
  t.is((ok(ex, 'book', 'SOL') as unknown[]).length, 64);
  for (const id of ids) t.true(ok(ex, 'cancel', id));
});

test.serial('exchange: book() always fits one frame; the order that would not fit is refused by name (issue #12, finding 10)', (t) => {
  const ex = 'exchange';
  // 12-character symbols and 2^64-1 amounts: on main, book() of 64 such orders was a TOO_LARGE error.
  const sym = 'ABCDEFGHIJKL';
  const ids: bigint[] = [];
  let refused: Answer | undefined;
  for (let i = 0; i < 64 && !refused; i++) {
    const a = call(ex, 'place_order', sym, 2n ** 64n - 1n);
    if (a.ok) ids.push(a.value as bigint);
    else refused = a;
  }
  t.like(refused, { ok: false, error: { code: ErrorCode.CELL_ERROR, message: `book for ${sym} full: book() must fit one 2028-byte reply` } });
  const { schema } = cell(ex).built;
  const r = raw(ex, encodeCall(schema, 'book', [sym]));
  t.is(r.kind, 'reply');
  t.true(r.bytes.length <= 2028, `${r.bytes.length} bytes`);
  t.is((decodeReply(schema, 'book', r.bytes) as unknown[]).length, ids.length);
  // Other symbols still have room in the 64-order book.
  t.true(call(ex, 'place_order', 'X', 1).ok);
  for (const id of ids) t.true(ok(ex, 'cancel', id));
  for (const o of ok(ex, 'book', 'X') as Array<{ id: bigint }>) ok(ex, 'cancel', o.id);
});

test.serial('unknown method index: ERROR 2 "unknown method N"', (t) => {
  t.deepEqual(error('exchange', encodeCbor([3, 'BTC'])), { code: ErrorCode.UNKNOWN_METHOD, name: 'UNKNOWN_METHOD', message: 'unknown method 3' });
  t.is(error('echo', encodeCbor([99])).message, 'unknown method 99');
  t.is(error('echo', encodeCbor([2n ** 40n])).message, 'unknown method 1099511627776');
});

test.serial('bad arguments: ERROR 3 naming the method, the argument and the problem', (t) => {
  const add = index('echo', 'add');
  const bad = (name: string, payload: Uint8Array, message: string) => t.deepEqual(error(name, payload), { code: ErrorCode.BAD_ARGS, name: 'BAD_ARGS', message });
  bad('echo', encodeCbor([add, 'x', 1]), 'bad args: add argument 1 (a: i32): wrong type');
  bad('echo', encodeCbor([add, 1, 2 ** 40]), 'bad args: add argument 2 (b: i32): out of range');
  bad('echo', encodeCbor([add, 1]), 'bad args: add takes 2 arguments, got 1');
  bad('echo', encodeCbor([add, 1, 2, 3]), 'bad args: add takes 2 arguments, got 3');
  bad('echo', encodeCbor([index('echo', 'echo'), Uint8Array.of(1)]), 'bad args: echo argument 1 (text: string): wrong type');
  bad('echo', Uint8Array.of(0x82, 0x00, 0x62, 0xc3, 0x28), 'bad args: echo argument 1 (text: string): invalid UTF-8');
  bad('exchange', encodeCbor([index('exchange', 'place_order'), 'BTC', -1]), 'bad args: place_order argument 2 (amount: u64): out of range');
  bad('echo', encodeCbor(5), 'bad args: not a CALL payload [method_index, ...args]');
  bad('echo', encodeCbor([]), 'bad args: not a CALL payload [method_index, ...args]');
  bad('echo', encodeCbor(['add', 1, 2]), 'bad args: not a CALL payload [method_index, ...args]');
  bad('echo', new Uint8Array(0), 'bad args: not a CALL payload [method_index, ...args]');
  bad('echo', Uint8Array.of(0x83, 0x01), 'bad args: truncated');
  bad('echo', Uint8Array.of(...encodeCbor([add, 1, 2]), 0), 'bad args: trailing bytes');
  bad('echo', Uint8Array.of(0x9f, 0x01, 0xff), 'bad args: indefinite-length item');
  const shape = index('types', 'shape');
  const good = { id: 1, name: 'n', points: [], tags: [], data: new Uint8Array(0) };
  t.is(raw('types', encodeCbor([shape, good])).kind, 'reply');
  bad('types', encodeCbor([shape, { ...good, extra: 1 }]), 'bad args: shape argument 1 (v: Shape): unknown, repeated or missing struct field');
  const { data: _omit, ...missing } = good;
  bad('types', encodeCbor([shape, missing]), 'bad args: shape argument 1 (v: Shape): unknown, repeated or missing struct field');
  bad('types', encodeCbor([shape, { ...good, points: [{ x: 1, y: 'two', label: null }] }]), 'bad args: shape argument 1 (v: Shape): wrong type');
  // A self-referencing struct is bounded in depth (the wasm3 stack on an MCU is small).
  const chain = (n: number): unknown => (n === 0 ? null : { value: n, next: chain(n - 1) });
  t.like(call('types', 'chain', chain(16)), { ok: true });
  bad('types', encodeCbor([index('types', 'chain'), chain(17)]), 'bad args: chain argument 1 (v: Link): nested too deep');
});

test.serial('every schema type round-trips through the generated dispatcher', (t) => {
  const { schema } = cell('types').built;
  for (const m of schema.methods) {
    if (['mix', 'nothing', 'collide', 'oops', 'big'].includes(m.name)) continue;
    fc.assert(
      fc.property(valueArb(schema, m.params[0].type, 0), (v) => {
        const got = ok('types', m.name, v);
        t.deepEqual(got, expected(schema, m.result, v), m.name);
      }),
      { numRuns: 40 },
    );
  }
  t.is(ok('types', 'mix', 7, 'hé', 1.5, true), '7|hé|1.5|true');
  t.is(ok('types', 'nothing'), undefined);
  t.is(ok('types', 'collide', 1, 2, 3, 4, 5), 15);
  t.is(cell('types').instance.stats.traps, 0);
});

test.serial('fail() wins over the value; oversized results and arguments are ERROR 8, not a trap', (t) => {
  t.deepEqual(call('types', 'oops', 'boom'), { ok: false, error: { code: ErrorCode.CELL_ERROR, name: 'CELL_ERROR', message: 'boom' } });
  t.deepEqual(call('types', 'oops', 'x'.repeat(5000)).ok, false);
  const long = call('types', 'oops', 'é'.repeat(2000)); // 4000 bytes: the message is cut to fit the output buffer
  t.true(!long.ok && long.error.code === 7 && long.error.message.length > 1000 && /^é+$/.test(long.error.message));
  t.like(call('types', 'big', 2000), { ok: true });
  t.like(call('types', 'big', 2100), { ok: false, error: { code: ErrorCode.TOO_LARGE, name: 'TOO_LARGE', message: 'result too large: more than 2028 bytes' } });
  // 2000 empty arrays: 2 KB of CBOR but ~128 KB of heap once decoded; the budget refuses it.
  const grid = index('types', 'grid');
  const e = error('types', encodeCbor([grid, Array.from({ length: 2000 }, () => [])]));
  t.is(e.code, ErrorCode.TOO_LARGE);
  t.is(e.message, "args too large: grid argument 1 (v: (string | null)[][]) does not fit the cell's memory");
  t.deepEqual(ok('types', 'grid', [['a', null]]), [['a', null]]);
  t.is(cell('types').instance.stats.traps, 0);
});

test.serial('a long-running cell does not leak: thousands of allocating calls in one page', (t) => {
  const text = 'x'.repeat(900);
  for (let i = 0; i < 3000; i++) {
    if (ok('echo', 'echo', text) !== text) t.fail(`call ${i}`);
  }
  for (let i = 0; i < 500; i++) {
    const id = ok('exchange', 'place_order', 'ADA', i + 1) as bigint;
    ok('exchange', 'book', 'ADA');
    t.true(ok('exchange', 'cancel', id) as boolean);
  }
  t.is(cell('echo').instance.stats.traps, 0);
  t.is(cell('exchange').instance.stats.traps, 0);
});

test.serial('random bytes and random CBOR as a CALL payload never trap a cell', (t) => {
  const cborValue = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      fc.integer(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.double(), fc.boolean(), fc.constant(null),
      fc.string({ unit: 'binary', maxLength: 40 }), fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    cborValue.map((v) => encodeCbor(v)),
    // CALL-shaped: a plausible method index with random arguments, the likeliest to reach handlers.
    fc.tuple(fc.nat(30), fc.array(cborValue, { maxLength: 4 })).map(([i, args]) => encodeCbor([i, ...args])),
  );
  const seen = new Map<string, number>();
  for (const name of cells.keys()) {
    const { instance, built } = cell(name);
    fc.assert(
      fc.property(payload, (p) => {
        const r = instance.call(p);
        const what = r.kind === 'reply' ? 'reply' : String(decodeError(r.bytes).code);
        seen.set(what, (seen.get(what) ?? 0) + 1);
        return ['reply', '2', '3', '7', '8'].includes(what);
      }),
      { numRuns: 400 },
    );
    t.is(instance.stats.traps, 0, name);
    // Still healthy afterwards.
    t.is(raw(name, encodeCbor([built.schema.methods.length])).kind, 'error');
  }
  t.is(ok('echo', 'echo', 'still here'), 'still here');
  // The payloads reached the dispatcher's every outcome, not just the first check.
  t.true(['reply', '2', '3'].every((k) => (seen.get(k) ?? 0) > 0), JSON.stringify([...seen]));
  t.log(JSON.stringify(Object.fromEntries(seen)));
});

test.serial('users v1 and v2 build to different species', async (t) => {
  const v1 = await load('test/fixtures/cells/users-v1', join(REPO_ROOT, 'build', 'test', 'gen', 'users-v1'));
  const v2 = await load('test/fixtures/cells/users-v2', join(REPO_ROOT, 'build', 'test', 'gen', 'users-v2'));
  t.not(v1.built.speciesId, v2.built.speciesId);
  t.deepEqual(inspectWasm(v2.wasm).schema, v2.built.schema);
  const v1r = v1.instance.call(encodeCall(v1.built.schema, 'add', ['a@example.com']));
  t.is(decodeReply(v1.built.schema, 'add', v1r.bytes), 1);
  const v2r = v2.instance.call(encodeCall(v2.built.schema, 'add', [['a@example.com', 'b@example.com']]));
  t.is(decodeReply(v2.built.schema, 'add', v2r.bytes), 1);
  // A v1 call sent to v2 is refused, not misread.
  t.is(decodeError(v2.instance.call(encodeCall(v1.built.schema, 'add', ['a@example.com'])).bytes).code, ErrorCode.BAD_ARGS);
});

// ---- schema-driven values for the round-trip test ----

const INT_LIMITS: Record<string, [number, number]> = {
  i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535], i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1],
};

function valueArb(schema: CellSchema, t: ResultType, depth: number): fc.Arbitrary<unknown> {
  if (t === 'void') return fc.constant(undefined);
  if (typeof t === 'string') {
    switch (t) {
      case 'bool': return fc.boolean();
      case 'i64': return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case 'u64': return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      // -0 is encoded by cbor-x as the integer 0, so it cannot round-trip as -0.
      case 'f32': case 'f64': return fc.double().map((x) => (Object.is(x, -0) ? 0 : x));
      case 'string': return fc.string({ unit: 'binary', maxLength: 12 });
      case 'bytes': return fc.uint8Array({ maxLength: 16 });
      default: return fc.integer({ min: INT_LIMITS[t][0], max: INT_LIMITS[t][1] });
    }
  }
  if ('array' in t) return fc.array(valueArb(schema, t.array, depth + 1), { maxLength: depth > 2 ? 0 : 3 });
  if ('nullable' in t) return depth > 3 ? fc.constant(null) : fc.option(valueArb(schema, t.nullable, depth + 1), { nil: null });
  const fields = schema.types[t.struct].fields;
  return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueArb(schema, f.type, depth + 1)])));
}

/** What decodeReply gives back for input `v`: f32 rounded, everything else equal. */
function expected(schema: CellSchema, t: ResultType, v: unknown): unknown {
  if (t === 'f32') return Math.fround(v as number);
  if (typeof t === 'string' || v === null) return v;
  if ('array' in t) return (v as unknown[]).map((x) => expected(schema, t.array, x));
  if ('nullable' in t) return expected(schema, t.nullable, v);
  const o = v as Record<string, unknown>;
  return Object.fromEntries(schema.types[t.struct].fields.map((f) => [f.name, expected(schema, f.type, o[f.name])]));
}
