// scratch: does the async receive loop ever stall?
import { ShmTransport } from '../host/transport/shm-transport.ts';
import { startTsWorker } from '../host/transport/ts-worker.ts';
import { callFrame } from './shm-worker.ts';
const secs = Number(process.argv[2] ?? 20);
const pongSpin = Number(process.argv[3] ?? 100000);
let stalls = 0, rounds = 0, maxMs = 0;
let outstandingSince = 0; let ctls: Int32Array[] = []; let dumped = false;
const wd = setInterval(() => {
  if (outstandingSince && performance.now() - outstandingSince > 50 && !dumped) {
    dumped = true;
    const [x, y] = ctls;
    console.log(`stuck ${(performance.now() - outstandingSince).toFixed(0)}ms aToB h=${x[0]} t=${x[32]} rs=${x[64]} ws=${x[96]} | bToA h=${y[0]} t=${y[32]} rs=${y[64]} ws=${y[96]}`);
  }
}, 20);
const end = performance.now() + secs * 1000;
while (performance.now() < end) {
  const buffers = ShmTransport.buffers({ ringBytes: 65536 });
  const pong = startTsWorker(new URL('./shm-worker.ts', import.meta.url), { workerData: { role: 'shm-pong', buffers } });
  await new Promise((r) => pong.once('message', r));
  const a = ShmTransport.attach(buffers, 'a');
  ctls = [new Int32Array(buffers.aToB, 0, 160), new Int32Array(buffers.bToA, 0, 160)];
  let arrived: () => void = () => {};
  a.onFrame(() => arrived());
  const f = callFrame(1);
  const until = performance.now() + 300;
  while (performance.now() < until) {
    const t0 = performance.now();
    const reply = new Promise<void>((r) => (arrived = r));
    outstandingSince = t0; dumped = false;
    a.send(f);
    await reply;
    outstandingSince = 0;
    const ms = performance.now() - t0;
    if (ms > maxMs) maxMs = ms;
    if (ms > 100) stalls++;
    // sometimes idle so the pump parks and the pong sleeps
    if (Math.random() < 0.001) await new Promise((r) => setTimeout(r, 1));
  }
  const t0 = performance.now();
  await a.close();
  const c = performance.now() - t0;
  if (c > 100) { stalls++; console.log('close stalled', c.toFixed(0)); }
  await pong.terminate();
  rounds++;
}
clearInterval(wd);
console.log({ rounds, stalls, maxMs });
