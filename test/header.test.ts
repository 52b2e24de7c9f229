// Both header codecs (TypeScript host, AssemblyScript firmware via WASM) against the shared
// vectors and against each other.
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { compileAssemblyScript } from '../host/build/asc.ts';
import { checkFrame, decodeHeader, encodeFrame, encodeHeader, HeaderError, HeaderReject, MsgType, type Header } from '../host/wire/header.ts';

interface Vectors {
  valid: Array<{ name: string; hex: string; fields: Header }>;
  rejected: Array<{ name: string; hex: string; reason: keyof typeof HeaderReject }>;
}
const vectors: Vectors = JSON.parse(readFileSync(new URL('./vectors/header.json', import.meta.url), 'utf8'));
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

interface Harness {
  memory: WebAssembly.Memory;
  buf(): number;
  cap(): number;
  check(len: number): number;
  write(type: number, flags: number, src: number, dst: number, species: number, seq: number, length: number): void;
  type(): number; flags(): number; src(): number; dst(): number; species(): number; seq(): number; length(): number;
}

const harness = (async () => {
  const { binary } = await compileAssemblyScript({ entries: ['test/harness/header-harness.ts'], runtime: 'stub' });
  const { instance } = await WebAssembly.instantiate(binary as Uint8Array<ArrayBuffer>, { hal: { panic: () => { throw new Error('panic'); } } });
  return instance.exports as unknown as Harness;
})();

/** Runs the firmware decoder over `bytes` and returns its verdict (0 or -reason) and fields. */
async function firmwareCheck(bytes: Uint8Array): Promise<{ result: number; fields?: Header }> {
  const h = await harness;
  const n = Math.min(bytes.length, h.cap());
  new Uint8Array(h.memory.buffer, h.buf(), h.cap()).fill(0).set(bytes.subarray(0, n));
  const result = h.check(bytes.length > h.cap() ? h.cap() + 1 : bytes.length);
  if (result !== 0) return { result };
  return { result, fields: { type: h.type(), flags: h.flags(), src: h.src() >>> 0, dst: h.dst() >>> 0, species: h.species() >>> 0, seq: h.seq(), length: h.length() } };
}

test('valid vectors decode to their fields in both codecs', async (t) => {
  for (const v of vectors.valid) {
    const bytes = fromHex(v.hex);
    t.deepEqual(decodeHeader(bytes), v.fields, v.name);
    const fw = await firmwareCheck(bytes);
    t.is(fw.result, 0, v.name);
    t.deepEqual(fw.fields, v.fields, v.name);
  }
});

test('valid vectors are produced byte for byte by both encoders', async (t) => {
  const h = await harness;
  for (const v of vectors.valid) {
    const bytes = fromHex(v.hex);
    t.is(Buffer.from(encodeHeader(v.fields)).toString('hex'), v.hex.slice(0, 40), v.name);
    const f = v.fields;
    h.write(f.type, f.flags, f.src, f.dst, f.species, f.seq, f.length);
    t.deepEqual(new Uint8Array(h.memory.buffer, h.buf(), 20), bytes.subarray(0, 20), v.name);
  }
});

test('rejected vectors are rejected with the same reason by both codecs', async (t) => {
  for (const v of vectors.rejected) {
    const bytes = fromHex(v.hex);
    const reason = HeaderReject[v.reason];
    t.is(checkFrame(bytes), reason, v.name);
    const err = t.throws(() => decodeHeader(bytes), { instanceOf: HeaderError }, v.name);
    t.is(err?.reason, reason, v.name);
    t.is((await firmwareCheck(bytes)).result, -reason, v.name);
  }
});

const headerArb = fc.record({
  type: fc.integer({ min: MsgType.CALL, max: MsgType.WELCOME }),
  flags: fc.integer({ min: 0, max: 15 }),
  src: fc.nat({ max: 0xffffffff }),
  dst: fc.nat({ max: 0xffffffff }),
  species: fc.nat({ max: 0xffffffff }),
  seq: fc.nat({ max: 0xffff }),
});

test('encode then decode round-trips in both codecs', async (t) => {
  const h = await harness;
  await fc.assert(
    fc.asyncProperty(headerArb, fc.uint8Array({ maxLength: 64 }), async (fields, payload) => {
      const frame = encodeFrame(fields, payload);
      t.deepEqual(decodeHeader(frame), { ...fields, length: payload.length });
      h.write(fields.type, fields.flags, fields.src, fields.dst, fields.species, fields.seq, payload.length);
      t.deepEqual(new Uint8Array(h.memory.buffer, h.buf(), 20), frame.subarray(0, 20));
      const fw = await firmwareCheck(frame);
      t.deepEqual(fw.fields, { ...fields, length: payload.length });
    }),
    { numRuns: 500 },
  );
});

test('random bytes never crash either decoder and both agree on the verdict', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), async (bytes) => {
      const host = checkFrame(bytes);
      const fw = await firmwareCheck(bytes);
      t.is(fw.result, -host);
    }),
    { numRuns: 2000 },
  );
});

test('every truncation and extension of a valid frame is rejected with a reason by both', async (t) => {
  await fc.assert(
    fc.asyncProperty(headerArb, fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), async (fields, payload, cut, extra) => {
      const frame = encodeFrame(fields, payload);
      const short = frame.subarray(0, cut % frame.length);
      const expectShort = short.length < 20 ? HeaderReject.SHORT : HeaderReject.TRUNCATED;
      t.is(checkFrame(short), expectShort);
      t.is((await firmwareCheck(short)).result, -expectShort);
      const long = new Uint8Array([...frame, ...extra]);
      t.is(checkFrame(long), HeaderReject.TRAILING);
      t.is((await firmwareCheck(long)).result, -HeaderReject.TRAILING);
    }),
    { numRuns: 500 },
  );
});

test('the host encoder refuses out-of-range fields with a clear error', (t) => {
  const ok = { type: MsgType.CALL, flags: 0, src: 1, dst: 2, species: 3, seq: 4, length: 0 };
  t.throws(() => encodeHeader({ ...ok, seq: 0x10000 }), { message: /seq/ });
  t.throws(() => encodeHeader({ ...ok, flags: 0x10 }), { message: /flags/ });
  t.throws(() => encodeHeader({ ...ok, type: 12 as MsgType }), { message: /type/ });
  t.throws(() => encodeHeader({ ...ok, src: -1 }), { message: /src/ });
  t.throws(() => encodeFrame(ok, new Uint8Array(0x10000)), { message: /65535/ });
});
