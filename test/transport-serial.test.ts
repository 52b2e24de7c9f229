// The serial transport over a REAL pseudo-terminal pair (socat), not a mock binding: the bytes
// cross the kernel's tty layer as they would from a UART. `npm test` installs socat (test/system-packages.mjs).
import test from 'ava';
import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import { SerialTransport } from '../host/transport/serial-transport.ts';
import { encodeSerialFrame } from '../host/wire/serial-framing.ts';
import { BROADCAST } from '../host/wire/header.ts';
import { openPtyPair, type PtyPair } from '../bench/pty-pair.ts';
import { transportConformance, Inbox, frameTo, type TransportPair } from './transport-conformance.ts';

interface SerialPair extends TransportPair {
  a: SerialTransport;
  b: SerialTransport;
  pty: PtyPair;
  /** Writes bytes as they are onto the line towards b. */
  writeLine(bytes: Uint8Array): Promise<void>;
}

async function makePair(baudRate = 115200): Promise<SerialPair> {
  const pty = await openPtyPair();
  // a opens its end without the exclusive lock so the test can write raw bytes there too.
  const a = await SerialTransport.open({ path: pty.a, baudRate, lock: false });
  const b = await SerialTransport.open({ path: pty.b, baudRate });
  // An async handle: a blocking write into a full pty would stall the event loop that drains b.
  const line = await fs.open(pty.a, constants.O_WRONLY | constants.O_NOCTTY);
  const writeLine = async (bytes: Uint8Array) => {
    await line.write(bytes);
  };
  return {
    a, b, pty, aId: 1, bId: 2, maxFrame: a.maxFrame, writeLine,
    // The conformance blobs are frame-level (one of them is the good frame that must arrive), but
    // serial carries a byte stream. Each blob therefore goes on the line twice: first as raw line
    // noise followed by a 0x00 delimiter (so the next run starts clean: a serial receiver only
    // resynchronises at a 0x00), then stuffed as a serial frame, so the frame-level checks (CRC,
    // header, size) see it too. The raw copy of the good frame is dropped; its framed copy arrives.
    injectRaw: async (bytes) => {
      await writeLine(Uint8Array.of(...bytes, 0));
      await writeLine(encodeSerialFrame(bytes));
    },
    close: async () => {
      await line.close();
      await a.close();
      await b.close();
      await pty.close();
    },
  };
}

transportConformance('serial', () => makePair());

test.serial('serial at 921600 baud: a burst of frames arrives whole and in order', async (t) => {
  const p = await makePair(921600);
  try {
    t.is(p.a.baudRate, 921600);
    t.is(p.b.baudRate, 921600);
    const inbox = new Inbox(p.b);
    const sent = Array.from({ length: 150 }, (_, i) => frameTo(p.bId, p.aId, i, Uint8Array.from({ length: (i * 13) % 400 }, (_, k) => (k + i) & 0xff)));
    // ~30 KB in one synchronous burst: within the default 64 KiB backlog, so nothing is refused.
    for (const f of sent) p.a.send(f);
    t.is(p.a.stats.backlogDropped, 0);
    t.deepEqual(await inbox.waitFor(sent.length), sent);
    t.like(p.b.stats, { framesIn: sent.length, dropped: 0 });
    t.is(p.a.stats.framesOut, sent.length);
  } finally {
    await p.close();
  }
});

test.serial('point-to-point: every frame goes out whatever its dst', async (t) => {
  const p = await makePair();
  try {
    const inbox = new Inbox(p.b);
    const sent = [0, BROADCAST, p.bId, 12345].map((dst, i) => frameTo(dst, p.aId, i, Uint8Array.of(i)));
    for (const f of sent) p.a.send(f);
    t.deepEqual(await inbox.waitFor(sent.length), sent);
  } finally {
    await p.close();
  }
});

test.serial('raw line noise: torn frames, garbage and flipped bits are counted by reason; later frames arrive', async (t) => {
  const p = await makePair();
  try {
    const inbox = new Inbox(p.b);
    const f = (seq: number) => frameTo(p.bId, p.aId, seq, Uint8Array.of(seq, 0, seq));
    const wire = (seq: number) => encodeSerialFrame(f(seq));
    const flipped = wire(3).slice();
    flipped[flipped.length - 4] ^= 0x10;
    // A frame torn by a reset: its start, no terminator. The next frame's leading 0x00 ends it
    // (one dropped run), so the next frame arrives.
    await p.writeLine(wire(1).subarray(0, 9));
    await p.writeLine(wire(2));
    await p.writeLine(wire(10));
    // Noise with no 0x00, then a delimiter: one dropped run.
    await p.writeLine(Uint8Array.of(0x41, 0x42, 0x43, 0xff, 0x00));
    await p.writeLine(flipped);
    await p.writeLine(wire(11));
    // Idle delimiters are not drops.
    await p.writeLine(new Uint8Array(5));
    await p.writeLine(wire(12));
    const got = await inbox.waitFor(4);
    t.deepEqual(got, [f(2), f(10), f(11), f(12)]);
    const d = p.b.stats.drops;
    t.is(p.b.stats.dropped, 3);
    t.is(d.cobs + d.crc + d.short, 3, JSON.stringify(d));
    t.true(d.crc >= 1);
  } finally {
    await p.close();
  }
});

test.serial('frames larger than maxFrame are not sent, and counted', async (t) => {
  const p = await makePair();
  try {
    const inbox = new Inbox(p.b);
    p.a.send(frameTo(p.bId, p.aId, 1, new Uint8Array(p.maxFrame - 20 + 1)));
    const ok = frameTo(p.bId, p.aId, 2, new Uint8Array(3));
    p.a.send(ok);
    t.deepEqual(await inbox.waitFor(1), [ok]);
    t.like(p.a.stats, { framesOut: 1, tooLargeOut: 1 });
  } finally {
    await p.close();
  }
});

test.serial('a full backlog drops new frames and counts them instead of growing memory', async (t) => {
  const pty = await openPtyPair();
  const a = await SerialTransport.open({ path: pty.a, baudRate: 115200, maxBacklog: 16 * 1024 });
  const b = await SerialTransport.open({ path: pty.b, baudRate: 115200 });
  try {
    const inbox = new Inbox(b);
    // Sent in one synchronous burst: the port cannot write any of it until this turn ends.
    for (let i = 0; i < 40; i++) a.send(frameTo(2, 1, i, new Uint8Array(4000).fill(i + 1)));
    t.true(a.stats.backlogDropped > 0);
    t.is(a.stats.framesOut + a.stats.backlogDropped, 40);
    const got = await inbox.waitFor(a.stats.framesOut);
    t.deepEqual(got.map((f) => f[16]), Array.from({ length: a.stats.framesOut }, (_, i) => i));
  } finally {
    await a.close();
    await b.close();
    await pty.close();
  }
});

test('open reports bad options and missing devices clearly', async (t) => {
  await t.throwsAsync(SerialTransport.open({ path: '/dev/cell-no-such-tty', baudRate: 115200 }), { message: /cannot open serial port \/dev\/cell-no-such-tty/ });
  await t.throwsAsync(SerialTransport.open({ path: '/dev/null', baudRate: 0 }), { instanceOf: RangeError });
  await t.throwsAsync(SerialTransport.open({ path: '/dev/null', maxFrame: 5 }), { instanceOf: RangeError });
});

test('without socat the tests say how to install it', async (t) => {
  await t.throwsAsync(openPtyPair('socat-not-installed-here'), { message: /apt-get install socat/ });
});
