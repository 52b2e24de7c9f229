// The firmware CBOR codec (firmware/cbor) against the host's cbor-x configuration, byte for byte,
// through test/harness/cbor-harness.ts compiled once. See docs/cbor.md for the subset.
import test from 'ava';
import fc from 'fast-check';
import { compileAssemblyScript } from '../host/build/asc.ts';
import type { CborHarness } from '../fuzz/targets/firmware-cbor.ts';
import { decodeCbor, encodeCbor } from '../host/wire/cbor.ts';
import { CborError as E, CBOR_MAX_DEPTH as MAX_DEPTH } from '../host/wire/protocol-table.ts';

const WRITER_OVERFLOW = 100; // the harness's own code for recode()

interface Harness extends CborHarness {
  r_open(len: number): void;
  r_error(): number;
  r_offset(): number;
  r_done(): number;
  r_peek(): number;
  r_peekByte(): number;
  r_uint(): bigint;
  r_int(): bigint;
  r_u32(): number;
  r_i32(): number;
  r_f64(): number;
  r_bool(): number;
  r_null(): number;
  r_text(): number;
  r_bytes(): number;
  r_lastPtr(): number;
  r_array(): number;
  r_map(): number;
  r_skip(): void;
  r_expectEnd(): number;
  r_string16(): number;
  r_bytesCopy(): number;
  w_open(cap: number): void;
  w_length(): number;
  w_overflow(): number;
  w_uint(v: bigint): void;
  w_int(v: bigint): void;
  w_f64(v: number): void;
  w_bool(v: number): void;
  w_nil(): void;
  w_array(n: number): void;
  w_map(n: number): void;
  w_textRaw(ptr: number, len: number): void;
  w_bytesRaw(ptr: number, len: number): void;
  w_raw(ptr: number, len: number): void;
  w_text16(ptr: number, units: number): void;
  w_bytes(ptr: number, len: number): void;
}

const module = new WebAssembly.Module(
  (await compileAssemblyScript({ entries: ['test/harness/cbor-harness.ts'], runtime: 'minimal' })).binary,
);

/** A trap or an abort surfaces as a thrown Error, which fails the property or test. */
function refuse(name: string) {
  return () => {
    throw new Error(`firmware called hal.${name}`);
  };
}

/** A fresh instance, so allocating paths never exhaust the fixed 64 KiB heap across runs. */
function fresh(): Harness {
  let mem: WebAssembly.Memory | undefined;
  const hal = {
    panic(msg: number) {
      let text = '';
      if (mem && msg) {
        const n = new DataView(mem.buffer).getUint32(msg - 4, true);
        text = Buffer.from(mem.buffer, msg, n).toString('utf16le');
      }
      throw new Error(`firmware aborted: ${text}`);
    },
    send: refuse('send'), now: refuse('now'), random: refuse('random'), log: refuse('log'),
    cell_call: refuse('cell_call'), deliver: refuse('deliver'),
  };
  const inst = new WebAssembly.Instance(module, { hal });
  const h = inst.exports as unknown as Harness;
  mem = h.memory;
  return h;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function load(h: Harness, bytes: Uint8Array): number {
  if (bytes.length > h.bufCap()) throw new Error(`input of ${bytes.length} bytes exceeds the harness buffer`);
  new Uint8Array(h.memory.buffer, h.inPtr(), bytes.length).set(bytes);
  return bytes.length;
}

function output(h: Harness, len: number): Uint8Array {
  return new Uint8Array(h.memory.buffer, h.outPtr(), len).slice();
}

/** Decode + re-encode in the firmware: the bytes, or the negated error code. */
function recode(h: Harness, bytes: Uint8Array, alloc = false): Uint8Array | number {
  const r = h.recode(load(h, bytes), alloc ? 1 : 0);
  return r < 0 ? r : output(h, r);
}

function skipAll(h: Harness, bytes: Uint8Array): number {
  return h.skipAll(load(h, bytes));
}

// ---- values in the supported subset, shaped the way cbor-x encodes them shortest ----

// cbor-x writes integer JS numbers as CBOR ints only within [-2^32, 2^32); beyond that the JS
// side uses bigint (cbor-x writes 0x1b/0x3b, which is shortest there, and decodes them as bigint).
const smallInt = fc.oneof(
  fc.integer({ min: -(2 ** 32), max: 2 ** 32 - 1 }),
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, -1, -24, -25, -256, -257, -65536, -65537, -(2 ** 32)),
);
const bigInt = fc.oneof(
  fc.bigInt({ min: 2n ** 32n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 32n) - 1n }),
  fc.constantFrom(2n ** 32n, 2n ** 64n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 32n) - 1n),
);
// Integer-valued floats (and -0) are excluded: cbor-x writes them as ints, the firmware's f64() as 0xfb.
const fraction = fc.double({ noInteger: true });
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 20, maxLength: 300 }),
);
const blob = fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ minLength: 20, maxLength: 300 }));
const key = fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => k !== '__proto__');
const scalar = fc.oneof(smallInt, bigInt, fraction, fc.boolean(), fc.constant(null), text, blob);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
}));

/** cbor-x hands byte strings back as Buffers; compare them as plain Uint8Arrays. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

/** Drives the firmware writer through the harness to encode `v`; `viaRaw` picks textRaw/bytesRaw. */
function writeValue(h: Harness, v: unknown, viaRaw: boolean): void {
  const scratch = () => new Uint8Array(h.memory.buffer, h.inPtr(), h.bufCap());
  if (v === null) h.w_nil();
  else if (typeof v === 'boolean') h.w_bool(v ? 1 : 0);
  else if (typeof v === 'bigint') (v < 0n ? h.w_int(v) : h.w_uint(v));
  // Like cbor-x: whole numbers in [-2^32, 2^32) as ints, every other number as float64.
  else if (typeof v === 'number') (Number.isInteger(v) && Math.abs(v + 0.5) < 2 ** 32 ? h.w_int(BigInt(v)) : h.w_f64(v));
  else if (typeof v === 'string') {
    if (viaRaw) {
      const utf8 = Buffer.from(v, 'utf8');
      scratch().set(utf8);
      h.w_textRaw(h.inPtr(), utf8.length);
    } else {
      const utf16 = Buffer.from(v, 'utf16le');
      scratch().set(utf16);
      h.w_text16(h.inPtr(), v.length);
    }
  } else if (v instanceof Uint8Array) {
    scratch().set(v);
    if (viaRaw) h.w_bytesRaw(h.inPtr(), v.length);
    else h.w_bytes(h.inPtr(), v.length);
  } else if (Array.isArray(v)) {
    h.w_array(v.length);
    for (const x of v) writeValue(h, x, viaRaw);
  } else if (typeof v === 'object') {
    const entries = Object.entries(v);
    h.w_map(entries.length);
    for (const [k, x] of entries) {
      writeValue(h, k, viaRaw);
      writeValue(h, x, viaRaw);
    }
  } else throw new Error(`not in the subset: ${typeof v}`);
}

function firmwareEncode(v: unknown, viaRaw: boolean, cap?: number): { bytes: Uint8Array; overflow: boolean } {
  const h = fresh();
  h.w_open(cap ?? h.bufCap());
  writeValue(h, v, viaRaw);
  return { bytes: output(h, h.w_length()), overflow: h.w_overflow() === 1 };
}

// ---- (1) cbor-x bytes -> firmware decode + re-encode -> identical bytes ----

test('cbor-x bytes survive a firmware decode and re-encode unchanged, both read paths', (t) => {
  fc.assert(
    fc.property(value, fc.boolean(), (v, alloc) => {
      const bytes = encodeCbor(v);
      const h = fresh();
      const out = recode(h, bytes, alloc);
      if (typeof out === 'number') throw new Error(`firmware rejected ${hex(bytes)} with ${out}`);
      t.is(hex(out), hex(bytes));
      t.is(skipAll(h, bytes), bytes.length);
    }),
    { numRuns: 600 },
  );
});

// ---- (2) firmware writer -> cbor-x: same value, same bytes ----

test('the firmware writer produces exactly the bytes cbor-x produces, and cbor-x reads them back', (t) => {
  fc.assert(
    fc.property(value, fc.boolean(), (v, viaRaw) => {
      const { bytes, overflow } = firmwareEncode(v, viaRaw);
      t.false(overflow);
      t.is(hex(bytes), hex(encodeCbor(v)));
      t.deepEqual(normalize(decodeCbor(bytes)), normalize(v));
    }),
    { numRuns: 600 },
  );
});

test('writer: RFC 8949 Appendix A vectors', (t) => {
  const vectors: Array<[unknown, string]> = [
    [0, '00'], [1, '01'], [10, '0a'], [23, '17'], [24, '1818'], [25, '1819'], [100, '1864'],
    [1000, '1903e8'], [1000000, '1a000f4240'], [1000000000000n, '1b000000e8d4a51000'],
    [18446744073709551615n, '1bffffffffffffffff'], [-9223372036854775808n, '3b7fffffffffffffff'],
    [-1, '20'], [-10, '29'], [-100, '3863'], [-1000, '3903e7'],
    [1.1, 'fb3ff199999999999a'], [-4.1, 'fbc010666666666666'], [1.0e300, 'fb7e37e43c8800759c'],
    [Infinity, 'fb7ff0000000000000'], [NaN, 'fb7ff8000000000000'],
    [false, 'f4'], [true, 'f5'], [null, 'f6'],
    ['', '60'], ['a', '6161'], ['IETF', '6449455446'], ['"\\', '62225c'], ['\u00fc', '62c3bc'],
    ['\u6c34', '63e6b0b4'], ['\u{10151}', '64f0908591'],
    [new Uint8Array(0), '40'], [new Uint8Array([1, 2, 3, 4]), '4401020304'],
    [[], '80'], [[1, 2, 3], '83010203'], [[1, [2, 3], [4, 5]], '8301820203820405'],
    [{}, 'a0'], [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
    [['a', { b: 'c' }], '826161a161626163'],
  ];
  for (const [v, want] of vectors) {
    for (const viaRaw of [false, true]) t.is(hex(firmwareEncode(v, viaRaw).bytes), want, `${String(v)}`);
  }
});

test('writer: integer heads switch width exactly at the boundaries', (t) => {
  const h = fresh();
  const cases: Array<[bigint, string]> = [
    [23n, '17'], [24n, '1818'], [255n, '18ff'], [256n, '190100'], [65535n, '19ffff'], [65536n, '1a00010000'],
    [4294967295n, '1affffffff'], [4294967296n, '1b0000000100000000'],
    [-24n, '37'], [-25n, '3818'], [-256n, '38ff'], [-257n, '390100'], [-65537n, '3a00010000'],
    [-4294967296n, '3affffffff'], [-4294967297n, '3b0000000100000000'],
  ];
  for (const [v, want] of cases) {
    h.w_open(64);
    h.w_int(v);
    t.is(hex(output(h, h.w_length())), want, String(v));
    t.is(hex(encodeCbor(v >= -(2n ** 32n) && v < 2n ** 32n ? Number(v) : v)), want, `cbor-x ${v}`);
  }
});

test('writer: text() turns unpaired surrogates into U+FFFD so its output is always valid UTF-8', (t) => {
  for (const [s, want] of [['\ud800', '63efbfbd'], ['a\udc00b', '6561efbfbd62'], ['\ud83d\ude00', '64f09f9880']] as const) {
    t.is(hex(firmwareEncode(s, false).bytes), want);
  }
});

test('writer: an item that does not fit sets overflow, writes nothing of itself, and later writes are no-ops', (t) => {
  fc.assert(
    fc.property(value, fc.boolean(), fc.nat(), (v, viaRaw, seed) => {
      const full = encodeCbor(v);
      const cap = seed % (full.length + 1);
      const { bytes, overflow } = firmwareEncode(v, viaRaw, cap);
      t.is(overflow, cap < full.length);
      t.true(bytes.length <= cap);
      t.is(hex(bytes), hex(full.subarray(0, bytes.length)));
    }),
    { numRuns: 400 },
  );
  const h = fresh();
  h.w_open(3);
  h.w_uint(1000n); // 3 bytes: fits exactly
  h.w_uint(1n); // does not fit
  h.w_nil();
  t.is(h.w_length(), 3);
  t.is(h.w_overflow(), 1);
  for (const bad of [() => h.w_array(-1), () => h.w_map(-1), () => h.w_textRaw(h.inPtr(), -1), () => h.w_bytesRaw(h.inPtr(), -5), () => h.w_raw(h.inPtr(), -1)]) {
    h.w_open(64);
    bad();
    t.is(h.w_overflow(), 1);
    t.is(h.w_length(), 0);
  }
  h.w_open(64);
  new Uint8Array(h.memory.buffer, h.inPtr(), 3).set([0x82, 0x01, 0x02]);
  h.w_array(2);
  h.w_raw(h.inPtr(), 3);
  h.w_nil();
  t.is(hex(output(h, h.w_length())), '82820102f6');
});

// ---- (3) hostile bytes never trap ----

// Byte soup built from CBOR heads with every major type and additional info, random argument
// bytes and fragments of valid encodings, so inputs get past the first byte.
const headToken = fc
  .tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 31 }), fc.uint8Array({ maxLength: 9 }))
  .map(([major, info, extra]) => Uint8Array.from([(major << 5) | info, ...extra]));
const soup = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .array(fc.oneof(headToken, fc.uint8Array({ maxLength: 4 }), value.map((v) => encodeCbor(v).subarray(0, 40))), { maxLength: 12 })
    .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p]))),
);

/** cbor-x's reading of `bytes`, with ints as bigint, byte strings as arrays, undefined as null. */
function comparable(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  return v;
}

test('random and mutated bytes never trap; skip() and the walker agree; accepted input means what cbor-x says', (t) => {
  fc.assert(
    fc.property(soup, fc.boolean(), (bytes, alloc) => {
      const h = fresh();
      const walked = recode(h, bytes, alloc);
      const skipped = skipAll(h, bytes);
      if (typeof walked === 'number') {
        t.true(walked < 0);
        // The walker reads negatives as i64 and stops there; skip() accepts the whole major 1
        // range and goes on, so after an OVERFLOW it may succeed or fail further on.
        if (walked !== -E.OVERFLOW) t.is(walked, skipped, hex(bytes));
        return;
      }
      t.is(skipped, bytes.length);
      // Re-encoding is canonical: a second pass changes nothing.
      const again = recode(h, walked, alloc);
      t.deepEqual(again, walked);
      let theirs: unknown;
      try {
        theirs = decodeCbor(bytes);
      } catch {
        return; // cbor-x refuses some keys (arrays, maps, byte strings) as object property names
      }
      t.deepEqual(comparable(decodeCbor(walked)), comparable(theirs), hex(bytes));
    }),
    { numRuns: 1000 },
  );
});

test('every strict prefix of a valid encoding is TRUNCATED, through every entry point', (t) => {
  fc.assert(
    fc.property(value, (v) => {
      const bytes = encodeCbor(v);
      const h = fresh();
      const step = Math.max(1, Math.floor(bytes.length / 48));
      for (let n = 0; n < bytes.length; n += step) {
        const prefix = bytes.subarray(0, n);
        t.is(recode(h, prefix), -E.TRUNCATED, `${hex(bytes)} cut at ${n}`);
        t.is(skipAll(h, prefix), -E.TRUNCATED);
      }
    }),
    { numRuns: 300 },
  );
});

test('typed reads in any order over random bytes never trap and keep the first error', (t) => {
  const ops = ['r_uint', 'r_int', 'r_u32', 'r_i32', 'r_f64', 'r_bool', 'r_null', 'r_text', 'r_bytes', 'r_array', 'r_map', 'r_skip', 'r_string16', 'r_bytesCopy', 'r_peek', 'r_expectEnd'] as const;
  fc.assert(
    fc.property(soup, fc.array(fc.constantFrom(...ops), { minLength: 1, maxLength: 20 }), (bytes, seq) => {
      const h = fresh();
      h.r_open(load(h, bytes));
      let first = 0;
      for (const op of seq) {
        (h[op] as () => unknown)();
        const e = h.r_error();
        if (first) t.is(e, first, 'the first error sticks');
        else first = e;
        t.true(e >= 0 && e <= E.TRAILING);
        t.true(h.r_offset() >= 0 && h.r_offset() <= bytes.length);
      }
      if (first) {
        // After an error every read returns its zero value and moves nothing.
        const at = h.r_offset();
        t.is(h.r_uint(), 0n);
        t.is(h.r_int(), 0n);
        t.is(h.r_f64(), 0);
        t.is(h.r_text(), 0);
        t.is(h.r_array(), -1);
        t.is(h.r_peek(), -1);
        t.is(h.r_null(), 0);
        t.is(h.r_offset(), at);
        t.is(h.r_done(), 0);
      }
    }),
    { numRuns: 500 },
  );
});

// ---- (4) specific hostile inputs ----

test('hostile inputs are rejected with the documented reason by the walker and by skip()', (t) => {
  const deep = (n: number, open: string, leaf: string) => open.repeat(n) + leaf;
  const cases: Array<[string, string, number]> = [
    ['empty input', '', E.TRUNCATED],
    ['indefinite byte string', '5f4101ff', E.INDEFINITE],
    ['indefinite text', '7f6161ff', E.INDEFINITE],
    ['indefinite array', '9f01ff', E.INDEFINITE],
    ['indefinite map', 'bf616101ff', E.INDEFINITE],
    ['indefinite array inside an array', '819fff', E.INDEFINITE],
    ['stray break', 'ff', E.INDEFINITE],
    ['info 31 on an unsigned int', '1f', E.RESERVED],
    ['info 31 on a negative int', '3f', E.RESERVED],
    ['info 31 on a tag', 'df', E.RESERVED],
    ...['1c', '1d', '1e', '3c', '5d', '7e', '9c', 'bd', 'de', 'fc', 'fd', 'fe'].map(
      (b): [string, string, number] => [`reserved info 0x${b}`, b, E.RESERVED],
    ),
    ['two-byte simple value below 32', 'f810', E.RESERVED],
    ['tag 0 (date string)', 'c074323031332d30332d32315432303a30343a30305a', E.UNSUPPORTED],
    ['tag 2 (bignum)', 'c249010000000000000000', E.UNSUPPORTED],
    ['self-describe tag 55799', 'd9d9f700', E.UNSUPPORTED],
    ['tag inside a map', 'a16161c100', E.UNSUPPORTED],
    ['simple value 16', 'f0', E.UNSUPPORTED],
    ['simple value 255', 'f8ff', E.UNSUPPORTED],
    ['text of 0xFFFFFFFF bytes', '7affffffff616263', E.TRUNCATED],
    ['text of 2^64-1 bytes', '7bffffffffffffffff', E.TRUNCATED],
    ['bytes of 2^32 bytes', '5b000000010000000001', E.TRUNCATED],
    ['array of 2^64-1 items', '9bffffffffffffffff00', E.TRUNCATED],
    ['map of 0xFFFFFFFF pairs', 'baffffffff0000', E.TRUNCATED],
    ['map with more pairs than bytes', 'a3000000', E.TRUNCATED],
    ['argument cut short', '1a0001', E.TRUNCATED],
    ['float cut short', 'fb3ff0', E.TRUNCATED],
    ['arrays nested 1000 deep', deep(1000, '81', '00'), E.TOO_DEEP],
    ['maps nested 1000 deep', deep(1000, 'a100', '00'), E.TOO_DEEP],
    [`arrays nested ${MAX_DEPTH + 1} deep`, deep(MAX_DEPTH + 1, '81', '00'), E.TOO_DEEP],
    [`empty array at depth ${MAX_DEPTH + 1}`, deep(MAX_DEPTH, '81', '80'), E.TOO_DEEP],
    ['stray continuation byte', '6180', E.BAD_UTF8],
    ['invalid lead byte', '61ff', E.BAD_UTF8],
    ['overlong NUL', '62c080', E.BAD_UTF8],
    ['overlong 3-byte', '63e08080', E.BAD_UTF8],
    ['UTF-16 surrogate (what cbor-x writes for a lone surrogate)', '63eda080', E.BAD_UTF8],
    ['above U+10FFFF', '64f4908080', E.BAD_UTF8],
    ['sequence cut inside the string', '62e282', E.BAD_UTF8],
    ['bad UTF-8 in a map key', 'a161ff00', E.BAD_UTF8],
    ['trailing byte', '0000', E.TRAILING],
    ['two items', '8001', E.TRAILING],
  ];
  for (const [name, input, code] of cases) {
    const h = fresh();
    const bytes = unhex(input);
    t.is(recode(h, bytes), -code, name);
    t.is(recode(h, bytes, true), -code, `${name} (allocating)`);
    t.is(skipAll(h, bytes), -code, `${name} (skip)`);
  }
  // Exactly at the limit is fine.
  const h = fresh();
  t.is(skipAll(h, unhex(deep(MAX_DEPTH, '81', '00'))), MAX_DEPTH + 1);
  t.is(skipAll(h, unhex(deep(MAX_DEPTH - 1, '81', '80'))), MAX_DEPTH);
});

test('non-shortest forms are accepted; re-encoding makes them shortest', (t) => {
  const cases: Array<[string, string]> = [
    ['1800', '00'], ['190017', '17'], ['1a00000018', '1818'], ['1b0000000000000005', '05'], // cbor-x writes 5n this way
    ['3b0000000000000000', '20'], ['5801aa', '41aa'], ['790001' + '61', '6161'], ['980100', '8100'],
    ['b90001' + '6161' + '01', 'a1616101'],
    ['f93c00', 'fb3ff0000000000000'], ['fa3fc00000', 'fb3ff8000000000000'],
    ['f7', 'f6'], // undefined reads as null
  ];
  for (const [input, want] of cases) {
    const out = recode(fresh(), unhex(input));
    t.is(typeof out === 'number' ? out : hex(out), want, input);
  }
});

// ---- typed reads ----

function reader(input: string): Harness {
  const h = fresh();
  h.r_open(load(h, unhex(input)));
  return h;
}

test('integer reads are range-checked and report OVERFLOW for out-of-range values of either sign', (t) => {
  const u32 = (s: string) => { const h = reader(s); const v = h.r_u32() >>> 0; return [v, h.r_error()]; };
  const i32 = (s: string) => { const h = reader(s); const v = h.r_i32(); return [v, h.r_error()]; };
  const u64 = (s: string) => { const h = reader(s); const v = BigInt.asUintN(64, h.r_uint()); return [v, h.r_error()]; };
  const i64 = (s: string) => { const h = reader(s); const v = h.r_int(); return [v, h.r_error()]; };
  t.deepEqual(u32('1affffffff'), [0xffffffff, 0]);
  t.deepEqual(u32('1b0000000100000000'), [0, E.OVERFLOW]);
  t.deepEqual(u32('20'), [0, E.OVERFLOW]);
  t.deepEqual(i32('1a7fffffff'), [0x7fffffff, 0]);
  t.deepEqual(i32('1a80000000'), [0, E.OVERFLOW]);
  t.deepEqual(i32('3a7fffffff'), [-(2 ** 31), 0]);
  t.deepEqual(i32('3a80000000'), [0, E.OVERFLOW]);
  t.deepEqual(u64('1bffffffffffffffff'), [2n ** 64n - 1n, 0]);
  t.deepEqual(u64('3b0000000000000000'), [0n, E.OVERFLOW]);
  t.deepEqual(i64('1b7fffffffffffffff'), [2n ** 63n - 1n, 0]);
  t.deepEqual(i64('1b8000000000000000'), [0n, E.OVERFLOW]);
  t.deepEqual(i64('3b7fffffffffffffff'), [-(2n ** 63n), 0]);
  t.deepEqual(i64('3b8000000000000000'), [0n, E.OVERFLOW]);
  t.deepEqual(i64('6161'), [0n, E.WRONG_TYPE]);
  t.deepEqual(i64('f5'), [0n, E.WRONG_TYPE]);
  // Integral floats are integers (cbor-x writes whole JS numbers of 2^32 and beyond as float64).
  t.deepEqual(i64('fb4014000000000000'), [5n, 0]);
  t.deepEqual(i64('f9c400'), [-4n, 0]);
  t.deepEqual(i64('fb8000000000000000'), [0n, 0]); // -0.0
  t.deepEqual(i64('fb3ff8000000000000'), [0n, E.WRONG_TYPE]); // 1.5
  t.deepEqual(i64('f97e00'), [0n, E.WRONG_TYPE]); // NaN
  t.deepEqual(i64('f97c00'), [0n, E.WRONG_TYPE]); // Infinity
  t.deepEqual(i64('fb43e0000000000000'), [0n, E.OVERFLOW]); // 2^63
  t.deepEqual(i64('fbc3e0000000000000'), [-(2n ** 63n), 0]); // -2^63
  t.deepEqual(u64('fb43efffffffffffff'), [2n ** 64n - 2048n, 0]); // largest double below 2^64
  t.deepEqual(u64('fb43f0000000000000'), [0n, E.OVERFLOW]); // 2^64
  t.deepEqual(u64('fbbff0000000000000'), [0n, E.OVERFLOW]); // -1.0
  t.deepEqual(u32('fb41efffffffe00000'), [0xffffffff, 0]);
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => {
      const h = reader(hex(encodeCbor(n)));
      t.is(h.r_int(), BigInt(n));
      t.is(h.r_error(), 0);
    }),
    { numRuns: 300 },
  );
});

test('readF64 accepts every half (exhaustively), single and double, and integers', (t) => {
  const h = fresh();
  const input = new Uint8Array(h.memory.buffer, h.inPtr(), 3);
  const check = new DataView(new ArrayBuffer(3));
  for (let bits = 0; bits < 0x10000; bits++) {
    input.set([0xf9, bits >> 8, bits & 0xff]);
    h.r_open(3);
    const got = h.r_f64();
    check.setUint8(0, 0xf9);
    check.setUint16(1, bits);
    const want = decodeCbor(new Uint8Array(check.buffer)) as number;
    if (!Object.is(got, want)) {
      t.fail(`half 0x${bits.toString(16)}: got ${got}, cbor-x says ${want}`);
      return;
    }
  }
  t.is(h.r_error(), 0);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      const bytes = new Uint8Array(5);
      const view = new DataView(bytes.buffer);
      view.setUint8(0, 0xfa);
      view.setUint32(1, bits);
      const r = reader(hex(bytes));
      const got = r.r_f64();
      const want = view.getFloat32(1);
      t.true(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)));
    }),
    { numRuns: 500 },
  );
  const f64 = (s: string) => { const r = reader(s); return [r.r_f64(), r.r_error()]; };
  t.deepEqual(f64('05'), [5, 0]);
  t.deepEqual(f64('20'), [-1, 0]);
  t.deepEqual(f64('3bffffffffffffffff'), [-18446744073709551616, 0]);
  t.deepEqual(f64('f90001'), [5.960464477539063e-8, 0]);
  t.deepEqual(f64('f97bff'), [65504, 0]);
  t.deepEqual(f64('fa47c35000'), [100000, 0]);
  t.deepEqual(f64('fb7e37e43c8800759c'), [1e300, 0]);
  t.deepEqual(f64('f5'), [0, E.WRONG_TYPE]);
  t.deepEqual(f64('40'), [0, E.WRONG_TYPE]);
});

test('bool, null, peek, headers and expectEnd', (t) => {
  let h = reader('f5f4f6f7');
  t.is(h.r_peek(), 7);
  t.is(h.r_peekByte(), 0xf5);
  t.is(h.r_bool(), 1);
  t.is(h.r_null(), 0, 'not null: nothing consumed');
  t.is(h.r_offset(), 1);
  t.is(h.r_bool(), 0);
  t.is(h.r_null(), 1);
  t.is(h.r_null(), 1, 'undefined reads as null');
  t.is(h.r_null(), 0, 'at the end: false, no error');
  t.is(h.r_error(), 0);
  t.is(h.r_done(), 1);
  t.is(h.r_peek(), -1);
  t.is(h.r_bool(), 0);
  t.is(h.r_error(), E.TRUNCATED);

  h = reader('00');
  t.is(h.r_bool(), 0);
  t.is(h.r_error(), E.WRONG_TYPE);
  t.is(h.r_offset(), 0, 'the failed item is not consumed');

  h = reader('a2616101616282f6f5');
  t.is(h.r_array(), -1);
  t.is(h.r_error(), E.WRONG_TYPE);
  h = reader('a2616101616282f6f5');
  t.is(h.r_map(), 2);
  t.is(h.r_text(), 1);
  t.is(Buffer.from(h.memory.buffer, h.r_lastPtr(), 1).toString(), 'a');
  t.is(h.r_u32(), 1);
  t.is(h.r_string16(), 1);
  t.is(Buffer.from(h.memory.buffer, h.outPtr(), 2).toString('utf16le'), 'b');
  t.is(h.r_array(), 2);
  t.is(h.r_expectEnd(), 0);
  t.is(h.r_error(), E.TRAILING);

  // A count that the remaining bytes cannot hold is TRUNCATED at the header, before any element.
  for (const [input, read] of [['a3000000', 'r_map'], ['830000', 'r_array'], ['a2000000', 'r_map']] as const) {
    h = reader(input);
    t.is(h[read](), -1, input);
    t.is(h.r_error(), E.TRUNCATED);
    t.is(h.r_offset(), 0);
  }

  h = reader('4301020341ff');
  t.is(h.r_bytesCopy(), 3);
  t.deepEqual([...output(h, 3)], [1, 2, 3]);
  t.is(h.r_bytes(), 1);
  t.is(new Uint8Array(h.memory.buffer)[h.r_lastPtr()], 0xff);
  t.is(h.r_expectEnd(), 1);

  // A negative length reads as empty input.
  h = fresh();
  h.r_open(-5);
  t.is(h.r_uint(), 0n);
  t.is(h.r_error(), E.TRUNCATED);
});

test('text validation agrees with a strict UTF-8 decoder on random bytes', (t) => {
  const strict = new TextDecoder('utf-8', { fatal: true });
  const utf8ish = fc.array(
    fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x9f, 0xa0, 0x8f, 0x90)),
    { maxLength: 12 },
  );
  fc.assert(
    fc.property(utf8ish, (raw) => {
      const payload = Uint8Array.from(raw);
      let want: string | undefined;
      try {
        want = strict.decode(payload);
      } catch {
        want = undefined;
      }
      const h = fresh();
      h.r_open(load(h, Uint8Array.from([0x60 | payload.length, ...payload])));
      const units = h.r_string16();
      if (want === undefined) {
        t.is(h.r_error(), E.BAD_UTF8, hex(payload));
      } else {
        t.is(h.r_error(), 0, hex(payload));
        t.is(Buffer.from(h.memory.buffer, h.outPtr(), units * 2).toString('utf16le'), want);
      }
    }),
    { numRuns: 1000 },
  );
});
