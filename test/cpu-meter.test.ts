// A real host's CPU share (host/runtime/cpu-meter.ts) against a simulated node's (the queues of
// simulator/mitosis/load-model.ts): the same work must give the same figure.
import test from 'ava';
import fc from 'fast-check';
import { CpuMeter } from '../host/runtime/cpu-meter.ts';
import { ServiceQueues } from '../simulator/mitosis/load-model.ts';

const CAPACITY = 2_000_000; // boards/esp32-s3.json

test('the same calls give the host meter and the simulated node the same share (property)', (t) => {
  fc.assert(
    fc.property(
      // Calls: gaps between arrivals (ms) and metered instructions (a few ms to 50 ms of work each).
      fc.array(fc.record({ gapMs: fc.double({ min: 0, max: 400, noNaN: true }), cost: fc.integer({ min: 5_000, max: 100_000 }) }), { minLength: 1, maxLength: 300 }),
      fc.double({ min: 0, max: 15_000, noNaN: true }),
      (calls, afterMs) => {
        const meter = new CpuMeter({ capacity: CAPACITY });
        const sim = new ServiceQueues(1, CAPACITY);
        let t = 0;
        for (const c of calls) {
          t += c.gapMs;
          meter.record(t, c.cost);
          sim.enqueue(0, t / 1000, c.cost);
        }
        const now = t + afterMs;
        const a = meter.share(now);
        const b = sim.utilisation(0, now / 1000);
        return Math.abs(a - b) <= 1e-12;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test('a steady load reads as its exact share; an idle window as zero', (t) => {
  const meter = new CpuMeter({ capacity: CAPACITY });
  // 100 calls per second of 6,000 instructions (3 ms each): 30% busy.
  for (let ms = 0; ms < 20_000; ms += 10) meter.record(ms, 6_000);
  t.true(Math.abs(meter.share(20_000) - 0.3) < 1e-9, String(meter.share(20_000)));
  t.is(meter.share(40_000), 0);
  // Saturation: more work than the window holds reads as 1, not more.
  for (let ms = 40_000; ms < 50_000; ms += 1) meter.record(ms, 10_000);
  t.true(meter.share(50_000) > 1 - 1e-9 && meter.share(50_000) <= 1);
});

test('bad settings are refused; bad samples change nothing', (t) => {
  t.throws(() => new CpuMeter({ capacity: 0 }), { message: /capacity of node 0 must be a positive number/ });
  t.throws(() => new CpuMeter({ capacity: 1, windowMs: -1 }), { message: /windowS must be a positive number/ });
  const meter = new CpuMeter({ capacity: CAPACITY });
  meter.record(NaN, 1000);
  meter.record(0, -5);
  meter.record(0, Infinity);
  t.is(meter.share(1000), 0);
});

test('a host node\'s default capacity is boards/raspberry-pi-4.json\'s instruction rate', async (t) => {
  const { DEFAULT_CAPACITY } = await import('../host/runtime/cell-node.ts');
  const { readBoard } = await import('../host/runtime/board-profile.ts');
  t.is(DEFAULT_CAPACITY, (await readBoard('raspberry-pi-4')).instructionsPerSecond);
});
