// Worker side of bench/shm.ts. `workerData.role` picks a part: the pinging end measures, the
// ponging end answers each CALL with a REPLY carrying the same seq and payload.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { ShmTransport, type ShmBuffers } from '../host/transport/shm-transport.ts';
import { MsgType, encodeFrame } from '../host/wire/header.ts';

export interface Phases {
  warmupMs: number;
  rttMs: number;
  throughputMs: number;
  inFlight: number;
}

export interface PingResult {
  /** Round-trip times in ns, one per message, in the order measured. */
  rtt: Float64Array;
  /** Round trips completed in the throughput phase, and how long it took. */
  completed: number;
  elapsedMs: number;
}

export type BenchJob =
  | ({ role: 'shm-ping'; buffers: ShmBuffers } & Phases)
  | { role: 'shm-pong'; buffers: ShmBuffers }
  | ({ role: 'port-ping'; port: MessagePort; poll: boolean } & Phases)
  | { role: 'port-pong'; port: MessagePort; poll: boolean };

/** A 64-byte payload behind the 20-byte header: an 84-byte frame. */
export function callFrame(seq: number): Uint8Array {
  const payload = new Uint8Array(64).fill(0x5a);
  return encodeFrame({ type: MsgType.CALL, flags: 0, src: 1, dst: 2, species: 0x11223344, seq: seq & 0xffff }, payload);
}

const MAX_SAMPLES = 4_000_000;

/** The measuring loop, shared by both transports: `send(seq)` sends a CALL, `poll()` lets
 *  replies arrive (each calls `onReply`). Busy-polls; never yields to the event loop. */
function measure(p: Phases, send: (seq: number) => void, poll: () => void, setOnReply: (f: () => void) => void): PingResult {
  let replies = 0;
  setOnReply(() => replies++);
  const pingPong = (untilMs: number, rtt?: Float64Array): number => {
    let n = 0;
    let seq = 0;
    while (performance.now() < untilMs && (!rtt || n < rtt.length)) {
      const want = replies + 1;
      const t0 = performance.now();
      send(seq++);
      while (replies < want) poll();
      if (rtt) rtt[n] = (performance.now() - t0) * 1e6;
      n++;
    }
    return n;
  };
  pingPong(performance.now() + p.warmupMs);
  const samples = new Float64Array(MAX_SAMPLES);
  const n = pingPong(performance.now() + p.rttMs, samples);

  // Pipelined: keep `inFlight` calls outstanding; count completed round trips.
  const start = performance.now();
  const until = start + p.throughputMs;
  const base = replies;
  let sent = 0;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 64; i++) {
      while (sent - (replies - base) < p.inFlight) send(sent++);
      poll();
    }
    now = performance.now();
  }
  const completed = replies - base;
  const elapsedMs = performance.now() - start;
  while (replies - base < sent) poll(); // drain, so the peer is not left writing into a full ring
  return { rtt: samples.slice(0, n), completed, elapsedMs };
}

// Null when imported for its types or callFrame().
const job = workerData as BenchJob | null;
const frames = Array.from({ length: 256 }, (_, i) => callFrame(i));

if (job?.role === 'shm-pong') {
  const t = ShmTransport.attach(job.buffers, 'b', { receive: 'poll' });
  t.onFrame((f) => {
    f[2] = MsgType.REPLY; // f is ours: a copy taken out of the ring
    t.send(f);
  });
  parentPort!.postMessage('ready');
  // Spin-then-wait: spins through a benchmark, sleeps when the pinger is idle.
  while (!t.linkClosed) t.pollWait(100_000, 100);
  parentPort!.postMessage('done');
} else if (job?.role === 'shm-ping') {
  const t = ShmTransport.attach(job.buffers, 'a', { receive: 'poll' });
  parentPort!.once('message', () => {
    let onReply = (): void => {};
    t.onFrame(() => onReply());
    const r = measure(job, (seq) => t.send(frames[seq & 255]!), () => t.poll(), (f) => (onReply = f));
    void t.close();
    parentPort!.postMessage(r, [r.rtt.buffer as ArrayBuffer]);
  });
  parentPort!.postMessage('ready');
} else if (job?.role === 'port-pong') {
  const port = job.port;
  const answer = (f: Uint8Array): void => {
    f[2] = MsgType.REPLY;
    port.postMessage(f);
  };
  if (job.poll) {
    parentPort!.postMessage('ready');
    // Busy-polls the port; stops at a `null` message.
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (!m) continue;
      if (m.message === null) break;
      answer(m.message as Uint8Array);
    }
    parentPort!.postMessage('done');
  } else {
    port.on('message', (m: Uint8Array | null) => (m === null ? port.close() : answer(m)));
    parentPort!.postMessage('ready');
  }
} else if (job?.role === 'port-ping') {
  const port = job.port;
  parentPort!.once('message', () => {
    let onReply = (): void => {};
    const send = (seq: number): void => port.postMessage(frames[seq & 255]!);
    if (job.poll) {
      const poll = (): void => {
        if (receiveMessageOnPort(port)) onReply();
      };
      const r = measure(job, send, poll, (f) => (onReply = f));
      port.postMessage(null);
      parentPort!.postMessage(r, [r.rtt.buffer as ArrayBuffer]);
    } else {
      void measureEvented(job, port, send).then((r) => {
        port.postMessage(null);
        port.close();
        parentPort!.postMessage(r, [r.rtt.buffer as ArrayBuffer]);
      });
    }
  });
  parentPort!.postMessage('ready');
}

/** The same phases driven by 'message' events, as MessagePort is normally used. */
async function measureEvented(p: Phases, port: MessagePort, send: (seq: number) => void): Promise<PingResult> {
  let onReply: () => void = () => {};
  port.on('message', () => onReply());
  const pingPong = (ms: number, rtt?: Float64Array): Promise<number> =>
    new Promise((resolve) => {
      const until = performance.now() + ms;
      let n = 0;
      let t0 = performance.now();
      onReply = () => {
        const t1 = performance.now();
        if (rtt) rtt[n] = (t1 - t0) * 1e6;
        n++;
        if (t1 >= until || (rtt && n >= rtt.length)) return resolve(n);
        t0 = performance.now();
        send(n);
      };
      send(0);
    });
  await pingPong(p.warmupMs);
  const samples = new Float64Array(MAX_SAMPLES);
  const n = await pingPong(p.rttMs, samples);
  const result = await new Promise<{ completed: number; elapsedMs: number }>((resolve) => {
    const start = performance.now();
    const until = start + p.throughputMs;
    let completed = 0;
    let outstanding = 0;
    let stopping = false;
    onReply = () => {
      completed++;
      outstanding--;
      if (!stopping && performance.now() >= until) stopping = true;
      if (stopping) {
        if (outstanding === 0) resolve({ completed, elapsedMs: performance.now() - start });
        return;
      }
      outstanding++;
      send(completed);
    };
    for (; outstanding < p.inFlight; outstanding++) send(outstanding);
  });
  return { rtt: samples.slice(0, n), ...result };
}
