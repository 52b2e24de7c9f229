// Event-queue throughput: `npx tsx bench/event-queue.ts [events]` (default 5,000,000).
// Two shapes: fill-then-drain (worst heap depth) and hold (steady state of a running sim,
// where each pop schedules one new event a little later).
import { EventQueue } from '../simulator/event-queue.ts';
import { Rng } from '../simulator/rng.ts';

const n = Number(process.argv[2] ?? 5_000_000);
if (!Number.isInteger(n) || n < 1) throw new Error(`events must be a positive integer, got ${process.argv[2]}`);
const rng = new Rng(1);
const times = new Float64Array(n);
for (let i = 0; i < n; i++) times[i] = rng.next() * 1e6;

function fillDrain(): number {
  const q = new EventQueue();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) q.push(times[i], 1, i, 0);
  let last = -Infinity;
  while (q.size > 0) {
    q.pop();
    if (q.time < last) throw new Error('out of order');
    last = q.time;
  }
  return performance.now() - t0;
}

function hold(pending: number): number {
  const q = new EventQueue();
  for (let i = 0; i < pending; i++) q.push(times[i], 1, i, 0);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    q.pop();
    q.push(q.time + times[i] * 1e-4, 1, i, 0);
  }
  return performance.now() - t0;
}

for (let round = 0; round < 2; round++) {
  const ms = fillDrain();
  console.log(`fill+drain ${n} events: ${ms.toFixed(0)} ms, ${((n / ms) * 1000 / 1e6).toFixed(2)} M push+pop/s`);
}
const pending = 100_000;
const ms = hold(pending);
console.log(`hold ${n} pop+push at ${pending} pending: ${ms.toFixed(0)} ms, ${((n / ms) * 1000 / 1e6).toFixed(2)} M pop+push/s`);
