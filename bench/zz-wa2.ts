// scratch: main-thread async receive loop with no timers of its own; a monitor worker reports stalls
import { Worker } from 'node:worker_threads';
import { ShmTransport } from '../host/transport/shm-transport.ts';
import { startTsWorker } from '../host/transport/ts-worker.ts';
import { callFrame } from './shm-worker.ts';
const secs = Number(process.argv[2] ?? 20);
const monitorCode = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const D = new Int32Array(workerData.d);
const x = new Int32Array(workerData.a, 0, 160), y = new Int32Array(workerData.b, 0, 160);
let last = '', since = Date.now(), reported = false;
const nap = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  Atomics.wait(nap, 0, 0, 10);
  const s = 'aToB h=' + x[0] + ' t=' + x[32] + ' rs=' + x[64] + ' | bToA h=' + y[0] + ' t=' + y[32] + ' rs=' + y[64] + ' pump=' + D[0] + ' wait=' + D[1];
  if (s !== last) { last = s; since = Date.now(); reported = false; continue; }
  const busy = x[0] !== x[32] || y[0] !== y[32];
  if (busy && !reported && Date.now() - since > 300) { reported = true; fs.writeSync(2, 'STUCK ' + (Date.now() - since) + 'ms ' + s + '\\n'); }
  if (reported && Date.now() - since > 5000) { fs.writeSync(2, 'PERMANENT ' + s + '\\n'); process.exit(1); }
}`;
let rounds = 0, maxMs = 0, parks = 0, lost = 0;
const dbgSab = new SharedArrayBuffer(16);
(globalThis as any).__shmDbg = new Int32Array(dbgSab);
const end = performance.now() + secs * 1000;
while (performance.now() < end) {
  const buffers = ShmTransport.buffers({ ringBytes: 65536 });
  const pong = startTsWorker(new URL('./shm-worker.ts', import.meta.url), { workerData: { role: 'shm-pong', buffers } });
  const mon = new Worker(monitorCode, { eval: true, workerData: { a: buffers.aToB, b: buffers.bToA, d: dbgSab } });
  mon.unref();
  await new Promise((r) => pong.once('message', r));
  const a = ShmTransport.attach(buffers, 'a');
  let arrived: () => void = () => {};
  a.onFrame(() => arrived());
  const f = callFrame(1);
  const until = performance.now() + 300;
  let k = 0;
  while (performance.now() < until) {
    if (++k % 3 === 0) await new Promise((r) => setImmediate(r)); // let the pump park sometimes
    const t0 = performance.now();
    const reply = new Promise<void>((r) => (arrived = r));
    a.send(f);
    await reply;
    const ms = performance.now() - t0;
    if (ms > maxMs) maxMs = ms;
  }
  parks += (a as any).rx.parks; lost += (a as any).rx.lostWakes;
  await a.close();
  await pong.terminate();
  await mon.terminate();
  rounds++;
}
await new Promise((r) => setTimeout(r, 500));
const G = (globalThis as any).__park ?? { late: [], unsettled: 0 };
const late = G.late.sort((x: number, y: number) => x - y);
console.log({ rounds, maxMs, parks, lost, unsettled: G.unsettled, lateN: late.length, lateP50: late[late.length >> 1], lateMax: late[late.length - 1] });
