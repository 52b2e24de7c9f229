// Shared-memory transport: the conformance suite with both ends in this thread, the ring's
// properties against a model, hostile ring contents, and frames to and from worker threads
// (wrap-around many times over, back-pressure from a slow consumer).
import test from 'ava';
import fc from 'fast-check';
import type { Worker } from 'node:worker_threads';
import { ShmTransport, type ShmTransportStats } from '../host/transport/shm-transport.ts';
import { createRing, CONTROL_BYTES, HEAD, PAD, ShmRingReader, ShmRingWriter } from '../host/transport/shm-ring.ts';
import { startTsWorker } from '../host/transport/ts-worker.ts';
import { Inbox, frameTo, transportConformance } from './transport-conformance.ts';
import { pattern, type Job } from './transport-shm-worker.ts';
import { waitUntil } from './fixtures/wait-until.ts';

transportConformance('shm', async () => {
  const { a, b } = ShmTransport.pair();
  return {
    a, b, aId: 1, bId: 2, maxFrame: 20 + 0xffff,
    // A raw ring record: send() writes any bytes as one record and only the receiver checks.
    injectRaw: async (bytes) => a.send(bytes),
    close: async () => { await a.close(); await b.close(); },
  };
});

// --- the ring alone ---------------------------------------------------------------------

const align4 = (n: number): number => (n + 3) & ~3;

/** What the ring promises, in a few lines: where the next record goes and whether it fits. */
class RingModel {
  head = 0;
  tail = 0;
  readonly queue: Array<{ bytes: Uint8Array; advance: number }> = [];
  constructor(readonly capacity: number) {}
  fits(length: number): number {
    const size = 4 + align4(length);
    const pos = this.head % this.capacity;
    const advance = pos + size > this.capacity ? this.capacity - pos + size : size;
    return this.capacity - (this.head - this.tail) >= advance ? advance : -1;
  }
}

test('ring: FIFO, no loss, tryWrite false exactly when full (property)', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(64, 128, 256, 1024),
      fc.array(fc.oneof(fc.record({ write: fc.nat({ max: 1 << 16 }) }), fc.constant({ read: true as const })), { maxLength: 300 }),
      (capacity, ops) => {
        const sab = createRing(capacity);
        const w = new ShmRingWriter(sab);
        const r = new ShmRingReader(sab);
        const model = new RingModel(capacity);
        let i = 0;
        for (const op of ops) {
          if ('write' in op) {
            const length = op.write % (w.maxRecord + 1);
            const bytes = pattern(i++, length);
            const advance = model.fits(length);
            const ok = w.tryWrite(bytes);
            if (ok !== advance >= 0) return false;
            if (ok) {
              model.queue.push({ bytes, advance });
              model.head += advance;
            }
          } else {
            const got = r.tryRead();
            const want = model.queue.shift();
            if (!want) {
              if (got !== null) return false;
              continue;
            }
            if (!got || Buffer.compare(got, want.bytes) !== 0) return false;
            model.tail += want.advance;
          }
        }
        for (const want of model.queue) {
          const got = r.tryRead();
          if (!got || Buffer.compare(got, want.bytes) !== 0) return false;
        }
        return r.tryRead() === null && r.corrupt === 0 && w.badTail === 0;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test('ring: zero-copy visit sees the same records and frees their room', (t) => {
  const sab = createRing(64);
  const w = new ShmRingWriter(sab);
  const r = new ShmRingReader(sab);
  for (let i = 0; i < 100; i++) {
    t.true(w.tryWrite(pattern(i, 20)));
    let seen: number[] = [];
    t.true(r.tryVisit((rec) => (seen = [...rec])));
    t.deepEqual(seen, [...pattern(i, 20)]);
  }
  t.false(r.tryVisit(() => t.fail()));
  t.throws(() => w.tryWrite(new Uint8Array(w.maxRecord + 1)), { instanceOf: RangeError });
});

test('ring: hostile contents are counted and skipped, never read out of bounds (property)', (t) => {
  fc.assert(
    fc.property(
      fc.nat({ max: 500 }),
      fc.array(fc.nat({ max: 200 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }), { minLength: 1, maxLength: 8 }),
      (shift, sizes, pokes) => {
        const capacity = 1024;
        const sab = createRing(capacity);
        const w = new ShmRingWriter(sab);
        const r = new ShmRingReader(sab);
        w.tryWrite(new Uint8Array(shift)); // start mid-ring, so later records wrap behind a PAD
        r.tryRead();
        sizes.forEach((n, i) => w.tryWrite(pattern(i, n)));
        // A buggy peer scribbles 32-bit words over the data area.
        const words = new Int32Array(sab, CONTROL_BYTES, capacity / 4);
        for (const p of pokes) words[p.at % words.length] = p.value;
        let records = 0;
        for (let rec = r.tryRead(); rec || r.readable(); rec = r.tryRead()) {
          if (rec && rec.length > r.maxRecord) return false;
          if (++records > capacity) return false; // each record takes >= 4 bytes: must end
        }
        if (r.used !== 0) return false;
        // The link still works afterwards.
        const good = pattern(99, 33);
        if (!w.tryWrite(good)) return false;
        const got = r.tryRead();
        return got !== null && Buffer.compare(got, good) === 0;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test('ring: impossible head positions and lengths resync the reader and are counted', (t) => {
  const sab = createRing(256);
  const ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
  const r = new ShmRingReader(sab);
  // Head claims more than the ring holds.
  Atomics.store(ctl, HEAD, 10_000);
  t.is(r.tryRead(), null);
  t.is(r.corrupt, 1);
  t.is(r.used, 0);
  // Misaligned head.
  Atomics.store(ctl, HEAD, 10_000 + 6);
  t.is(r.tryRead(), null);
  t.is(r.corrupt, 2);
  // A length larger than what was published, at an aligned position.
  const r2sab = createRing(256);
  const w2 = new ShmRingWriter(r2sab);
  const r2 = new ShmRingReader(r2sab);
  t.true(w2.tryWrite(pattern(0, 8)));
  new Uint32Array(r2sab, CONTROL_BYTES, 64)[0] = 1_000_000;
  t.is(r2.tryRead(), null);
  t.is(r2.corrupt, 1);
  // A PAD where there is not that much published.
  t.true(w2.tryWrite(pattern(1, 8)));
  new Uint32Array(r2sab, CONTROL_BYTES, 64)[3] = PAD;
  t.is(r2.tryRead(), null);
  t.is(r2.corrupt, 2);
  t.true(w2.tryWrite(pattern(2, 8)));
  t.deepEqual(r2.tryRead(), pattern(2, 8));
});

test('transport: a corrupt record length in the ring is counted; later frames still arrive', async (t) => {
  const { a, b, buffers } = ShmTransport.pair({ ringBytes: 4096 });
  try {
    const inbox = new Inbox(b);
    const ctl = new Int32Array(buffers.aToB, 0, CONTROL_BYTES / 4);
    const words = new Uint32Array(buffers.aToB, CONTROL_BYTES, 1024);
    const at = (Atomics.load(ctl, HEAD) & 4095) >> 2;
    a.send(frameTo(2, 1, 1, new Uint8Array(10)));
    words[at] = 0xdead_beef; // the length word of the record just written
    const good = frameTo(2, 1, 2, new Uint8Array([4, 5, 6]));
    // The receive loop must meet the corrupt record before the good one is written behind it.
    await waitUntil(() => b.stats.resyncs === 1, 'the receiver to resync past the corrupt record');
    a.send(good);
    t.deepEqual(await inbox.waitFor(1), [good]);
    t.is(b.stats.resyncs, 1);
    t.is(b.stats.dropped, 1);
  } finally {
    await a.close();
    await b.close();
  }
});

test('transport: oversized sends and sends after close are counted, not thrown', async (t) => {
  const { a, b } = ShmTransport.pair({ ringBytes: 1024 });
  a.send(new Uint8Array(a.maxRecord + 1));
  t.is(a.stats.sendDropped, 1);
  await b.close(); // closes the link for both ends
  t.true(a.linkClosed);
  a.send(frameTo(2, 1, 1, new Uint8Array(1)));
  t.is(a.stats.sendDropped, 2);
  await a.close();
});

// --- across threads ---------------------------------------------------------------------

function start(job: Job): Worker {
  return startTsWorker(new URL('./transport-shm-worker.ts', import.meta.url), { workerData: job });
}

function message<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** Deterministic frames of varied size (0..maxPayload bytes of payload). */
function frames(n: number, maxPayload: number, seed: number): Uint8Array[] {
  let x = seed;
  return Array.from({ length: n }, (_, i) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return frameTo(2, 1, i & 0xffff, pattern(i, x % (maxPayload + 1)));
  });
}

test('worker: echo both ways, wrapping the ring many times, order kept', async (t) => {
  const ringBytes = 16 * 1024;
  const buffers = ShmTransport.buffers({ ringBytes });
  const a = ShmTransport.attach(buffers, 'a');
  const w = start({ role: 'echo', buffers });
  try {
    const inbox = new Inbox(a);
    const sent = frames(4000, 1500, 7);
    const bytes = sent.reduce((s, f) => s + f.length, 0);
    t.true(bytes > 20 * ringBytes, `only ${bytes} bytes`);
    for (const f of sent) a.send(f); // far more than fits: the rest waits in the backlog
    t.true(a.stats.backlogged > 0);
    const got = await inbox.waitFor(sent.length, 25_000);
    t.is(got.length, sent.length);
    for (let i = 0; i < sent.length; i++) {
      if (Buffer.compare(got[i]!, sent[i]!) !== 0) return t.fail(`frame ${i} differs`);
    }
    t.is(a.stats.framesOut, sent.length);
    t.is(a.stats.dropped, 0);
    const done = message<{ stats: ShmTransportStats }>(w);
    await a.close();
    const { stats } = await done;
    t.is(stats.framesIn, sent.length);
    t.is(stats.framesOut, sent.length);
    t.is(stats.dropped, 0);
  } finally {
    await a.close();
    await w.terminate();
  }
});

test('worker: a slow consumer back-pressures the sender; nothing lost, order kept', async (t) => {
  const buffers = ShmTransport.buffers({ ringBytes: 4096 });
  const a = ShmTransport.attach(buffers, 'a');
  const w = start({ role: 'slow-echo', buffers, napEvery: 50 });
  try {
    const inbox = new Inbox(a);
    const sent = frames(1500, 300, 11);
    for (const f of sent) a.send(f); // the worker is not reading yet
    t.true(a.pending > 0, 'the ring filled and the rest queued');
    const ready = message<{ stats: ShmTransportStats; received: number }>(w);
    w.postMessage('go');
    const got = await inbox.waitFor(sent.length, 25_000);
    for (let i = 0; i < sent.length; i++) {
      if (Buffer.compare(got[i]!, sent[i]!) !== 0) return t.fail(`frame ${i} differs`);
    }
    t.is(a.pending, 0);
    await a.close();
    const { stats, received } = await ready;
    t.is(received, sent.length);
    t.is(stats.dropped, 0);
  } finally {
    await a.close();
    await w.terminate();
  }
});

test('worker: a flood of frames does not starve the event loop of the receiver', async (t) => {
  const buffers = ShmTransport.buffers({ ringBytes: 4096 });
  // A long spin, so the receive loop (almost) never parks: only its own yielding lets timers in.
  const a = ShmTransport.attach(buffers, 'a', { spin: 10_000_000 });
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let got = 0;
  a.onFrame(() => got++);
  const w = start({ role: 'flood', buffers, stop, giveUpMs: 10_000 });
  try {
    const done = message<{ sent: number; gaveUp: boolean }>(w);
    // Timers must still fire on the receiving thread: waitUntil polls on one.
    await waitUntil(() => got >= 10_000, '10,000 frames received with timers still firing', 60_000);
    Atomics.store(stop, 0, 1);
    const { gaveUp } = await done;
    t.false(gaveUp);
    t.is(a.stats.dropped, 0);
  } finally {
    await a.close();
    await w.terminate();
  }
});

test('worker: blocking ring writer and reader (spin, then Atomics.wait) across threads', async (t) => {
  const ring = createRing(1024);
  const r = new ShmRingReader(ring);
  let x = 3;
  const sizes = Array.from({ length: 5000 }, () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % (r.maxRecord + 1));
  const w = start({ role: 'ring-producer', ring, sizes });
  const done = message<{ full: number }>(w);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let bad = -1;
  for (let i = 0; i < sizes.length; i++) {
    if (i % 500 === 0) Atomics.wait(nap, 0, 0, 2); // a slow moment: the writer must wait
    const rec = r.read(100, 10_000);
    if (!rec || Buffer.compare(rec, pattern(i, sizes[i]!)) !== 0) {
      bad = i;
      break;
    }
  }
  t.is(bad, -1);
  const { full } = await done;
  t.true(full > 0, 'the writer met a full ring');
  t.is(r.corrupt, 0);
  await w.terminate();
});
