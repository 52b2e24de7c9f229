// Worker side of test/transport-shm.test.ts; `workerData.role` says what to do.
import { parentPort, workerData } from 'node:worker_threads';
import { ShmTransport, type ShmBuffers } from '../host/transport/shm-transport.ts';
import { ShmRingWriter } from '../host/transport/shm-ring.ts';

const nap = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number): void => void Atomics.wait(nap, 0, 0, ms);

export interface RingProducerJob {
  role: 'ring-producer';
  ring: SharedArrayBuffer;
  sizes: number[];
}

export type Job =
  | { role: 'echo'; buffers: ShmBuffers }
  | { role: 'slow-echo'; buffers: ShmBuffers; napEvery: number }
  | { role: 'flood'; buffers: ShmBuffers; stop: Int32Array; giveUpMs: number }
  | RingProducerJob;

/** The bytes of record `i` of length `n`, so the reader can check every byte. */
export function pattern(i: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = (i * 31 + k * 7) & 0xff;
  return out;
}

// Null when the test imports pattern() from here.
const job = workerData as Job | null;

if (job?.role === 'echo') {
  // Event-loop side: the async receive loop, echoing every frame back unchanged.
  const t = ShmTransport.attach(job.buffers, 'b');
  t.onFrame((f) => t.send(f));
  const done = setInterval(() => {
    if (!t.linkClosed) return;
    clearInterval(done);
    void t.close().then(() => parentPort!.postMessage({ stats: t.stats }));
  }, 20);
} else if (job?.role === 'slow-echo') {
  // A slow consumer: starts only when told (so the sender fills the ring first), naps often.
  parentPort!.once('message', () => {
    const t = ShmTransport.attach(job.buffers, 'b', { receive: 'poll' });
    let n = 0;
    t.onFrame((f) => {
      t.send(f);
      if (++n % job.napEvery === 0) sleepMs(1);
    });
    while (!t.linkClosed) t.pollWait(100, 50);
    parentPort!.postMessage({ stats: t.stats, received: n });
  });
} else if (job?.role === 'flood') {
  // Sends without pause until told to stop (or gives up), keeping the receiver always busy.
  const t = ShmTransport.attach(job.buffers, 'b', { receive: 'poll' });
  const f = new Uint8Array([0xce, 1, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const giveUp = performance.now() + job.giveUpMs;
  let sent = 0;
  while (Atomics.load(job.stop, 0) === 0 && performance.now() < giveUp) {
    if (t.pending < 64) {
      t.send(f);
      sent++;
    }
    t.poll();
  }
  parentPort!.postMessage({ sent, gaveUp: Atomics.load(job.stop, 0) === 0 });
} else if (job?.role === 'ring-producer') {
  // Blocking writer: spins, then Atomics.wait's for room.
  const w = new ShmRingWriter(job.ring);
  job.sizes.forEach((n, i) => {
    if (!w.write(pattern(i, n), 50, 10_000)) throw new Error(`write ${i} timed out`);
  });
  parentPort!.postMessage({ full: w.full });
}
