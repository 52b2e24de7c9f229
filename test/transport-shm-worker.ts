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
} else if (job?.role === 'ring-producer') {
  // Blocking writer: spins, then Atomics.wait's for room.
  const w = new ShmRingWriter(job.ring);
  job.sizes.forEach((n, i) => {
    if (!w.write(pattern(i, n), 50, 10_000)) throw new Error(`write ${i} timed out`);
  });
  parentPort!.postMessage({ full: w.full });
}
