// The board install protocol's host codec (host/board/install-frames.ts, docs/boards.md).
import test from 'ava';
import fc from 'fast-check';
import { encodeSerialFrame } from '../host/wire/serial-framing.ts';
import { decodeReply, encodeReply, encodeRequest, InstallFrameError, type InstallReply } from '../host/board/install-frames.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('request vectors (docs/boards.md)', (t) => {
  t.is(hex(encodeRequest({ op: 'begin', slot: 1, species: 0x67ced2b5, size: 1500 })), 'b10101b5d2ce67dc050000');
  t.is(hex(encodeRequest({ op: 'chunk', slot: 1, offset: 1024, bytes: Uint8Array.of(0, 0x61, 0x73, 0x6d) })), 'b1020100040000' + '0061736d');
  t.is(hex(encodeRequest({ op: 'commit', slot: 0, size: 3, sha256: new Uint8Array(32).fill(0xab) })), 'b1030003000000' + 'ab'.repeat(32));
  t.is(hex(encodeRequest({ op: 'info' })), 'b106');
  t.is(hex(encodeRequest({ op: 'erase', slot: 4 })), 'b10704');
  const fetch = { op: 'fetch' as const, species: 0x67ced2b5, size: 1500, hash: new Uint8Array(32).fill(0x11), root: new Uint8Array(32).fill(0x22), holder: 0xcab1e5f0 };
  t.is(hex(encodeRequest(fetch)), 'b108b5d2ce67dc050000' + '11'.repeat(32) + '22'.repeat(32) + 'f0e5b1ca');
  t.is(hex(encodeRequest({ op: 'fetchStatus' })), 'b109');
  t.throws(() => encodeRequest({ ...fetch, root: new Uint8Array(31) }), { instanceOf: RangeError });
});

test('fetch reply vectors (docs/boards.md): begun in slot 2 with 5 chunks resumed; a fetch that failed with no holder left', (t) => {
  t.deepEqual(decodeReply(Buffer.from('b18800' + '02' + '05000000', 'hex')), { op: 'fetch', status: 'ok', slot: 2, resumed: 5 });
  t.deepEqual(decodeReply(Buffer.from('b1880c', 'hex')), { op: 'fetch', status: 'speciesHeld' });
  const st = decodeReply(new Uint8Array(Buffer.from('b18900' + '03' + '01' + '02' + '05000000' + '0e000000' + '05000000' + '01000000' + '00'.repeat(32), 'hex')));
  t.deepEqual(st, { op: 'fetchStatus', status: 'ok', report: { state: 'failed', why: 'noHolder', slot: 2, held: 5, total: 14, chunksRx: 5, badChunks: 1, sha256: new Uint8Array(32) } });
  t.throws(() => decodeReply(Buffer.from('b18900' + '07' + '00'.repeat(50), 'hex')), { instanceOf: InstallFrameError }, 'an unknown state');
});

test('reply vectors: info with free RAM unknown, a hash mismatch', (t) => {
  const info = decodeReply(Buffer.from('b186' + '00' + '44332211' + 'ffffffff' + '00001000' + '00300300' + '01', 'hex'));
  t.deepEqual(info, { op: 'info', status: 'ok', info: { node: 0x11223344, freeRam: null, storeBytes: 0x100000, slotBytes: 0x33000, kernelRunning: true } });
  const bad = decodeReply(Buffer.from('b18307' + '11'.repeat(32), 'hex'));
  t.is(bad.status, 'hashMismatch');
});

test('on the line (docs/boards.md): INFO and its reply framed with COBS + CRC', (t) => {
  t.is(hex(encodeSerialFrame(encodeRequest({ op: 'info' }))), '0005b106f55000');
  t.is(hex(encodeSerialFrame(Buffer.from('b1860044332211ffffffff000010000030030001', 'hex'))), '0003b1860944332211ffffffff010210010330030401a81700');
});

test('requests refuse values outside their fields', (t) => {
  t.throws(() => encodeRequest({ op: 'begin', slot: 256, species: 0, size: 1 }), { instanceOf: RangeError });
  t.throws(() => encodeRequest({ op: 'chunk', slot: 0, offset: 0, bytes: new Uint8Array(1025) }), { instanceOf: RangeError });
  t.throws(() => encodeRequest({ op: 'commit', slot: 0, size: 1, sha256: new Uint8Array(31) }), { instanceOf: RangeError });
});

test('malformed replies are refused with a reason', (t) => {
  for (const h of ['b1', 'ce0100', 'b10600', 'b186ff', 'b18600', 'b18400', 'b1840001', 'b1c000']) {
    t.throws(() => decodeReply(Buffer.from(h, 'hex')), { instanceOf: InstallFrameError }, h);
  }
});

const u32 = fc.nat({ max: 0xffffffff });
const sha = fc.uint8Array({ minLength: 32, maxLength: 32 });
const reply: fc.Arbitrary<InstallReply> = fc.oneof(
  fc.record({ op: fc.constant('begin' as const), status: fc.constant('ok' as const), slotBytes: u32 }),
  fc.record({ op: fc.constant('chunk' as const), status: fc.constantFrom('ok' as const, 'badOffset' as const), received: u32 }),
  fc.record({ op: fc.constant('commit' as const), status: fc.constantFrom('ok' as const, 'hashMismatch' as const), sha256: sha }),
  fc.record({ op: fc.constant('list' as const), status: fc.constant('ok' as const), modules: fc.array(fc.record({ slot: fc.nat({ max: 4 }), species: u32, size: u32, sha256: sha }), { maxLength: 5 }) }),
  fc.record({ op: fc.constant('info' as const), status: fc.constant('ok' as const), info: fc.record({ node: u32, freeRam: fc.option(fc.nat({ max: 0xfffffffe }), { nil: null }), storeBytes: u32, slotBytes: u32, kernelRunning: fc.boolean() }) }),
  fc.record({ op: fc.constantFrom('reboot' as const, 'erase' as const, 'begin' as const), status: fc.constantFrom('ok' as const, 'badSlot' as const, 'storeError' as const) }).filter((r) => !(r.op === 'begin' && r.status === 'ok')),
  fc.record({ op: fc.constant('fetch' as const), status: fc.constant('ok' as const), slot: fc.nat({ max: 255 }), resumed: u32 }),
  fc.record({ op: fc.constant('fetch' as const), status: fc.constantFrom('fetchBusy' as const, 'speciesHeld' as const, 'noKernel' as const, 'noFreeSlot' as const, 'kernelRefused' as const, 'tooLarge' as const) }),
  fc.record({
    op: fc.constant('fetchStatus' as const), status: fc.constant('ok' as const),
    report: fc.record({
      state: fc.constantFrom('idle' as const, 'running' as const, 'done' as const, 'failed' as const),
      why: fc.constantFrom('none' as const, 'noHolder' as const, 'hashMismatch' as const, 'storeError' as const, 'hashError' as const, 'cellLoad' as const, 'kernelHost' as const),
      slot: fc.nat({ max: 255 }), held: u32, total: u32, chunksRx: u32, badChunks: u32, sha256: sha,
    }),
  }),
);

test('property: every reply the board may send decodes to itself', (t) => {
  fc.assert(fc.property(reply, (r) => {
    t.deepEqual(decodeReply(encodeReply(r)), r);
  }));
});

test('property: any bytes decode to a reply or an InstallFrameError, nothing else', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 250 }), fc.boolean(), (bytes, framed) => {
    const b = framed && bytes.length >= 2 ? Uint8Array.from([0xb1, bytes[0]! | 0x80, bytes[1]! % 12, ...bytes.subarray(2)]) : bytes;
    try {
      const r = decodeReply(b);
      t.deepEqual(encodeReply(r), b); // what is accepted is exactly one encoding
    } catch (err) {
      if (!(err instanceof InstallFrameError)) throw err;
    }
  }));
  t.pass();
});
