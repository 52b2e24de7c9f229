// UDP: the conformance suite, fragmentation, and multicast discovery between two real `cell run`
// processes with failover when the nearer one is killed.
import test from 'ava';
import fc from 'fast-check';
import dgram from 'node:dgram';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { fragment, Reassembler, MAX_PARTIAL, LOOPBACK_DATAGRAM, SAFE_DATAGRAM, datagramLimit, isLoopback } from '../host/transport/udp-fragments.ts';
import { transportConformance, Inbox, frameTo } from './transport-conformance.ts';
import { checkFrame } from '../host/wire/header.ts';

async function pair() {
  const a = await UdpTransport.open({ port: 0, multicast: false });
  const b = await UdpTransport.open({ port: 0, multicast: false, seeds: [] });
  // a knows b's address as a seed: frames to b go there.
  const a2 = await UdpTransport.open({ port: 0, multicast: false, seeds: [b.address] });
  await a.close();
  const raw = dgram.createSocket('udp4');
  await new Promise<void>((r) => raw.bind(0, '127.0.0.1', () => r()));
  return { a: a2, b, raw };
}

transportConformance('udp', async () => {
  const { a, b, raw } = await pair();
  return {
    a, b, aId: 0x0a, bId: 0x0b, maxFrame: 20 + 4096,
    injectRaw: (bytes) => new Promise<void>((resolve, reject) => raw.send(bytes, b.address.port, '127.0.0.1', (err) => (err ? reject(err) : resolve()))),
    close: async () => {
      raw.close();
      await Promise.all([a.close(), b.close()]);
    },
  };
});

test('to loopback a frame goes whole up to the largest datagram; above it, as fragments reassembled whole', async (t) => {
  const { a, b, raw } = await pair();
  try {
    const inbox = new Inbox(b);
    // A spore chunk's frame (about 1.4 KB) or this 10 KB one: over SAFE_DATAGRAM, but loopback's MTU is 64 KiB.
    const whole = frameTo(0x0b, 0x0a, 7, Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff));
    a.send(whole);
    t.deepEqual(await inbox.waitFor(1), [whole]);
    t.is(b.stats.reassembled, 0);
    t.is(b.stats.fragmentsIn, 0);
    const big = frameTo(0x0b, 0x0a, 8, Uint8Array.from({ length: LOOPBACK_DATAGRAM }, (_, i) => (i * 7) & 0xff));
    a.send(big);
    t.deepEqual(await inbox.waitFor(2), [whole, big]);
    t.is(b.stats.reassembled, 1);
  } finally {
    raw.close();
    await Promise.all([a.close(), b.close()]);
  }
});

test('datagram limits: loopback addresses get 64 KiB datagrams, every other address 1200 bytes', (t) => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.9']) t.is(datagramLimit(a), LOOPBACK_DATAGRAM, a);
  for (const a of ['10.0.0.1', '192.168.1.7', '239.255.67.76', 'fe80::1', '::', '0.0.0.0', '128.0.0.1', '::ffff:10.0.0.1', '::12']) t.is(datagramLimit(a), SAFE_DATAGRAM, a);
  t.true(isLoopback('127.255.255.255'));
  t.false(isLoopback('1.127.0.0'));
});

test('a seed given by name (not an IP literal) is resolved and reached', async (t) => {
  const b = await UdpTransport.open({ port: 0, multicast: false });
  const a = await UdpTransport.open({ port: 0, multicast: false, seeds: [{ address: 'localhost', port: b.address.port }] });
  try {
    const inbox = new Inbox(b);
    const frame = frameTo(0x0b, 0x0a, 1, new Uint8Array([1, 2, 3]));
    a.send(frame);
    t.deepEqual(await inbox.waitFor(1), [frame]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('reassembly: any order, duplicates ignored; bounded memory; hostile fragments counted (property)', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1201, max: 8000 }), fc.nat(), (size, seed) => {
      const frame = frameTo(1, 2, 3, Uint8Array.from({ length: size - 20 }, (_, i) => (i * 31 + seed) & 0xff));
      const parts = fragment(frame);
      t.true(parts.length > 1);
      for (const p of parts) t.is(checkFrame(p), 0, 'each fragment is a valid frame');
      const order = parts.map((p, i) => ({ p, k: (i * 7919 + seed) % 1000 })).sort((x, y) => x.k - y.k).map((x) => x.p);
      const r = new Reassembler();
      let out: Uint8Array | undefined;
      for (const p of [...order, order[0]!]) out = r.push(p, 'x') ?? out;
      t.deepEqual(out, frame);
    }),
    { numRuns: 100 },
  );
  const r = new Reassembler();
  for (let i = 0; i < MAX_PARTIAL + 5; i++) {
    r.push(fragment(frameTo(1, 2, i, new Uint8Array(3000)))[0]!, `x${i}`);
  }
  t.is(r.stats.partials, MAX_PARTIAL, 'beyond MAX_PARTIAL messages in progress, the oldest are dropped and counted');
  t.is(r.stats.partialsEvicted, 5);
  t.is(r.stats.fragmentsDropped, 5);
  const bad = fragment(frameTo(1, 2, 99, new Uint8Array(3000)))[1]!;
  new DataView(bad.buffer).setUint16(20, 5, true); // an offset off the chunk grid
  t.is(r.push(bad, 'y'), undefined);
  t.is(r.stats.fragmentsDropped, 6);
});
