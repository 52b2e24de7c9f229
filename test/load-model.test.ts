import test from 'ava';
import fc from 'fast-check';
import { ServiceQueues, serveRequest } from '../simulator/mitosis/load-model.ts';
import { PoissonArrivals } from '../simulator/mitosis/arrivals.ts';
import { Rng } from '../simulator/rng.ts';

test('FIFO: service time is cost / capacity and a request waits for the backlog ahead of it', (t) => {
  const q = new ServiceQueues(2, [1000, 4000]);
  t.is(q.serviceS(0, 100), 0.1);
  t.is(q.enqueue(0, 0, 100), 0.1);
  t.is(q.enqueue(0, 0.05, 100), 0.2); // waits 0.05
  t.is(q.backlogS(0, 0.1), 0.1);
  t.is(q.enqueue(0, 1, 100), 1.1); // idle again
  t.is(q.enqueue(1, 0, 100), 0.025); // node 1 is 4x faster and has its own queue
  const v = q.node(0);
  t.is(v.enqueue(2, 500), 2.5);
  t.is(v.backlogS(2.25), 0.25);
});

test('serveRequest: latency = RTT + queueing + service; unloaded = RTT + service', (t) => {
  const q = new ServiceQueues(1, 1000);
  const a = serveRequest(q, 0, 10, 40, 100);
  t.deepEqual(a, { completionS: 10.1, queueingS: 0, serviceS: 0.1, latencyMs: 140, unloadedMs: 140 });
  const b = serveRequest(q, 0, 10.02, 80, 100); // arrives while the first is served
  t.is(b.completionS, 10.2);
  t.true(Math.abs(b.queueingS - 0.08) < 1e-12);
  t.true(Math.abs(b.latencyMs - (80 + 180)) < 1e-9);
  t.is(b.unloadedMs, 180);
  t.throws(() => serveRequest(q, 0, 11, -1, 100), { message: /rttMs must be a non-negative number/ });
});

test('utilisation is the busy share of the last window', (t) => {
  const q = new ServiceQueues(1, 1, { windowS: 10 }); // 1 instruction per second: cost = seconds
  q.enqueue(0, 0, 5); // busy over [0, 5]
  t.is(q.utilisation(0, 2), 0.2);
  t.is(q.utilisation(0, 10), 0.5);
  t.is(q.utilisation(0, 12), 0.3);
  t.true(Math.abs(q.utilisation(0, 12.03) - 0.297) < 1e-12);
  t.is(q.utilisation(0, 15), 0);
  t.is(q.busySeconds(0, 15), 5);
  q.enqueue(0, 20, 1); // [20, 21]
  q.enqueue(0, 23, 1); // [23, 24]
  t.is(q.utilisation(0, 25), 0.2);
  t.is(q.utilisation(0, 30.5), 0.15); // window (20.5, 30.5]: 0.5 + 1 busy seconds
  // A saturated node reports 1, never more.
  q.enqueue(0, 40, 100);
  t.is(q.utilisation(0, 60), 1);
});

test('utilisation between slot boundaries is within 1/(4 slots) of the exact busy share', (t) => {
  // Reference: busy intervals kept in a list.
  fc.assert(
    fc.property(
      fc.array(fc.record({ gap: fc.double({ min: 0, max: 3, noNaN: true }), cost: fc.double({ min: 0, max: 2, noNaN: true }) }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 20 }),
      fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 1, maxLength: 5 }),
      (reqs, slots, probes) => {
        const q = new ServiceQueues(1, 1, { windowS: 4, slots });
        const busy: Array<[number, number]> = [];
        let now = 0;
        let free = 0;
        const check = (at: number) => {
          const lo = at - 4;
          let exact = 0;
          for (const [s, e] of busy) exact += Math.max(0, Math.min(e, at) - Math.max(s, lo));
          exact = Math.min(1, exact / 4);
          const got = q.utilisation(0, at);
          if (Math.abs(got - exact) > 1 / (4 * slots) + 1e-9) throw new Error(`at ${at}: ${got} vs exact ${exact} (slots ${slots})`);
        };
        let p = 0;
        for (const r of reqs) {
          now += r.gap;
          const start = Math.max(now, free);
          free = q.enqueue(0, now, r.cost);
          busy.push([start, free]);
          if (p < probes.length) {
            now += probes[p++];
            check(now);
          }
        }
        check(now + 1);
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test('M/D/1: Poisson arrivals at 70% load wait rho * s / (2 (1 - rho)) on average', (t) => {
  const s = 0.01; // 10 ms of service
  const lambda = 70; // rho = 0.7
  const q = new ServiceQueues(1, 1e6);
  const arrivals = new PoissonArrivals(() => lambda, lambda, new Rng(7, 1));
  let waits = 0;
  let n = 0;
  let last = 0;
  for (let at = arrivals.next(); n < 200_000; at = arrivals.next()) {
    waits += serveRequest(q, 0, at, 0, s * 1e6).queueingS;
    n++;
    last = at;
  }
  const expected = (0.7 * s) / (2 * 0.3);
  t.true(Math.abs(waits / n - expected) / expected < 0.05, `mean wait ${waits / n} vs ${expected}`);
  const share = q.busySeconds(0, last) / last;
  t.true(Math.abs(share - 0.7) < 0.01, `long-run busy share ${share}`);
});

test('same inputs, same queues: deterministic', (t) => {
  const run = () => {
    const q = new ServiceQueues(3, [500, 1000, 2000]);
    const a = new PoissonArrivals((x) => 20 + 10 * Math.sin(x), 30, new Rng(3));
    const rng = new Rng(3, 2);
    const out: number[] = [];
    const next = [0, 0, 0];
    for (let i = 0; i < 500; i++) {
      const at = a.next();
      const node = rng.int(3);
      next[node] = Math.max(next[node], at);
      out.push(q.enqueue(node, next[node], 50), q.utilisation(node, next[node]));
    }
    return out;
  };
  t.deepEqual(run(), run());
});

test('bad input to the queues is refused with a clear message', (t) => {
  t.throws(() => new ServiceQueues(0, 1), { message: /node count must be a positive integer/ });
  t.throws(() => new ServiceQueues(2, [1]), { message: /1 capacities for 2 nodes/ });
  t.throws(() => new ServiceQueues(2, [1, 0]), { message: /capacity of node 1 must be a positive number/ });
  t.throws(() => new ServiceQueues(1, 1, { windowS: 0 }), { message: /windowS must be a positive number/ });
  t.throws(() => new ServiceQueues(1, 1, { slots: 2.5 }), { message: /slots must be a positive integer/ });
  const q = new ServiceQueues(2, 1);
  t.throws(() => q.enqueue(2, 0, 1), { message: /node 2 is not in 0..1/ });
  t.throws(() => q.enqueue(0, 0, -1), { message: /cost must be a non-negative number/ });
  t.throws(() => q.enqueue(0, NaN, 1), { message: /time must be finite/ });
  q.enqueue(0, 5, 1);
  t.throws(() => q.enqueue(0, 4, 1), { message: /node 0 went back in time \(4 after 5\)/ });
  t.notThrows(() => q.enqueue(1, 4, 1)); // each node keeps its own clock
});

test('Poisson arrivals follow a varying rate (thinning), stop at endS, and refuse a rate above the peak', (t) => {
  // 50/s for 100 s, then 200/s for 100 s.
  const a = new PoissonArrivals((x) => (x < 100 ? 50 : 200), 200, new Rng(11), 0, 200);
  let first = 0;
  let second = 0;
  for (let at = a.next(); at !== Infinity; at = a.next()) {
    if (at < 100) first++;
    else second++;
    if (at > 200) t.fail(`arrival after endS: ${at}`);
  }
  // Poisson counts: 5000 +- 71 and 20000 +- 141; allow 4 sd.
  t.true(Math.abs(first - 5000) < 300, `first phase ${first}`);
  t.true(Math.abs(second - 20000) < 600, `second phase ${second}`);
  t.is(a.next(), Infinity);
  t.is(new PoissonArrivals(() => 0, 0, new Rng(1)).next(), Infinity);
  const bad = new PoissonArrivals(() => 10, 5, new Rng(1));
  t.throws(() => bad.next(), { message: /outside \[0, peakRate 5\]/ });
  t.throws(() => new PoissonArrivals(() => 1, -1, new Rng(1)), { message: /peakRate must be a non-negative number/ });
  t.throws(() => new PoissonArrivals(() => 1, 1, new Rng(1), 5, 4), { message: /endS \(4\) must not be before startS \(5\)/ });
});
