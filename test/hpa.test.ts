import test from 'ava';
import fc from 'fast-check';
import { HpaController, type HpaConfig, type HpaPod } from '../simulator/mitosis/hpa.ts';
import { randomPlacement } from '../simulator/mitosis/placement.ts';
import { Rng } from '../simulator/rng.ts';

/** n pods long past start-up (ready, outside the CPU initialisation period). */
const steady = (n: number, cpu: number | null): HpaPod[] => Array.from({ length: n }, () => ({ cpu, startedS: -1000 }));

const hpa = (cfg: Partial<HpaConfig> & Pick<HpaConfig, 'targetUtilisation'>) => new HpaController({ minReplicas: 1, maxReplicas: 100, ...cfg });

// Worked examples of "Algorithm details" (kubernetes.io, Horizontal Pod Autoscaling).

test('doc: 200m against a 100m target doubles the replicas', (t) => {
  const c = hpa({ targetUtilisation: 0.1, initialReplicas: 1 });
  t.is(c.sync(0, steady(1, 0.2)), 2);
  t.is(c.status?.reason, 'above target');
});

test('doc: 50m against a 100m target halves them', (t) => {
  const c = hpa({ targetUtilisation: 0.1, initialReplicas: 4 });
  t.is(c.sync(0, steady(4, 0.05)), 2);
});

test('a 50% target with pods at 100% doubles; at 25% halves', (t) => {
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 3 }).sync(0, steady(3, 1.0)), 6);
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 8 }).sync(0, steady(8, 0.25)), 4);
  // ceil: 3 pods at 0.6 against 0.5 ask for 3.6 -> 4.
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 3 }).sync(0, steady(3, 0.6)), 4);
});

test('tolerance: a ratio within [0.9, 1.1] takes no action, just outside it does', (t) => {
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 10 }).sync(0, steady(10, 0.55)), 10); // ratio 1.1
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 10 }).sync(0, steady(10, 0.45)), 10); // ratio 0.9
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 10 }).sync(0, steady(10, 0.56)), 12); // 1.12 * 10 -> 12
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 10 }).sync(0, steady(10, 0.44)), 9); // 0.88 * 10 -> 9
  // The "Tolerance" section's example: a 5% tolerance scales only above 105% of the target.
  t.is(hpa({ targetUtilisation: 0.5, tolerance: 0.05, initialReplicas: 10 }).sync(0, steady(10, 0.525)), 10);
  t.is(hpa({ targetUtilisation: 0.5, tolerance: 0.05, initialReplicas: 10 }).sync(0, steady(10, 0.54)), 11);
});

test('the loop runs once per sync period; calls in between return the current scale', (t) => {
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 2 });
  t.is(c.sync(0, steady(2, 0.5)), 2);
  t.is(c.nextSyncS, 15);
  t.is(c.sync(7, steady(2, 1.0)), 2);
  t.is(c.sync(14.9, steady(2, 1.0)), 2);
  t.is(c.sync(15, steady(2, 1.0)), 4);
});

test('scale-down is held by the 300 s stabilisation window, then applied', (t) => {
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 8 });
  t.is(c.sync(0, steady(8, 0.5)), 8); // at target: recommendation 8 recorded at t = 0
  for (let now = 15; now < 300; now += 15) {
    t.is(c.sync(now, steady(8, 0.125)), 8, `still held at ${now} s`);
    t.regex(c.status!.reason, /stabilisation window/);
  }
  // The t = 0 recommendation is exactly 300 s old and leaves the window (strictly newer only).
  t.is(c.sync(300, steady(8, 0.125)), 2);
});

test('the window holds at its highest recommendation, so scale-down steps down as old peaks expire', (t) => {
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 10 });
  t.is(c.sync(0, steady(10, 0.5)), 10);
  t.is(c.sync(100, steady(10, 0.3)), 10); // asks 6
  t.is(c.sync(200, steady(10, 0.1)), 10); // asks 2
  t.is(c.sync(300, steady(10, 0.1)), 6); // t = 0 expired; highest left is 6 (t = 100)
  t.is(c.sync(400, steady(6, 0.5 / 3)), 2); // t = 100 expired; asks ceil(6 / 3) = 2, window holds 2
});

test('scale-up is immediate but limited by the default policies: max(+4 pods, +100%) per 15 s', (t) => {
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 1 });
  t.is(c.sync(0, steady(1, 5.0)), 5); // asks 10, may add 4
  t.is(c.status!.reason, 'scale-up rate limit');
  t.is(c.sync(15, steady(5, 2.0)), 10); // asks 20, may double to 10
  t.is(c.sync(30, steady(10, 1.0)), 20);
});

test('not-yet-ready pods count as 0% on a scale-up, which can cancel it', (t) => {
  // 9 ready pods at 0.61 and one starting: ratio 1.22 over the ready pods would ask for 11;
  // with the new pod at 0% the ratio is 1.098, within tolerance: no action.
  const pods = [...steady(9, 0.61), { cpu: 0, startedS: -10 }];
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 10 });
  t.is(c.sync(0, pods), 10);
  t.is(c.status!.unreadyPods, 1);
  t.is(c.status!.readyPods, 9);
  t.is(c.status!.currentUtilisation, (0.61 * 9) / 9);
  // Without the new pod the same load asks for 11.
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 10 }).sync(0, steady(9, 0.61)), 11);
});

test('not-yet-ready pods that would flip the direction cancel a scale-up', (t) => {
  // 2 ready at 0.6 (ratio 1.2), 2 unready: with them at 0% the ratio is 0.6, a scale-down: no action.
  const pods = [...steady(2, 0.6), { cpu: 0.9, startedS: 0 }, { cpu: 0.9, startedS: 0 }];
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 4 }).sync(5, pods), 4);
});

test('a scale-down ignores not-yet-ready pods entirely', (t) => {
  // Ratio 0.4 over the 5 ready pods: ceil(0.4 * 5) = 2, the starting pod plays no part.
  const pods = [...steady(5, 0.2), { cpu: 0.9, startedS: 0 }];
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 6 }).sync(1, pods), 2);
});

test('readiness: set aside until ready, and within the CPU initialisation period until a whole metric window follows readiness', (t) => {
  const cfg = { targetUtilisation: 0.5, initialReplicas: 2, readinessDelayS: 30, metricWindowS: 10, cpuInitializationPeriodS: 300 };
  const pods = (now: number) => {
    const c = hpa(cfg);
    c.sync(now, [{ cpu: 0.5, startedS: -1000 }, { cpu: 1.5, startedS: 0 }]);
    return c.status!;
  };
  t.is(pods(29).unreadyPods, 1); // not ready yet
  t.is(pods(35).unreadyPods, 1); // ready at 30, but its sample covers 25..35
  t.is(pods(40).unreadyPods, 0); // sample 30..40 is all after readiness
  t.is(pods(40).desired, 4); // mean 1.0 against 0.5
});

test('missing metrics count as the target on a scale-down and as 0% on a scale-up', (t) => {
  // 2 pods at 0.25 (ratio 0.5) and 2 without metrics: (0.25 + 0.25 + 0.5 + 0.5) / 4 / 0.5 = 0.75 -> 3.
  t.is(hpa({ targetUtilisation: 0.5, initialReplicas: 4 }).sync(0, [...steady(2, 0.25), ...steady(2, null)]), 3);
  // 2 pods at 1.0 (ratio 2) and 2 missing: (1 + 1 + 0 + 0) / 4 / 0.5 = 1.0 -> within tolerance.
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 4 });
  t.is(c.sync(0, [...steady(2, 1.0), ...steady(2, null)]), 4);
  t.is(c.status!.missingPods, 2);
});

test('with no metric from any ready pod the scale is left alone', (t) => {
  const c = hpa({ targetUtilisation: 0.5, initialReplicas: 3 });
  t.is(c.sync(0, [{ cpu: 2, startedS: 0 }]), 3);
  t.is(c.status!.reason, 'no metrics for any ready pod');
  t.is(c.sync(15, []), 3);
});

test('min and max clamp the result; a scale outside them moves to the bound first', (t) => {
  t.is(new HpaController({ minReplicas: 2, maxReplicas: 6, targetUtilisation: 0.5, initialReplicas: 5 }).sync(0, steady(5, 1.0)), 6);
  t.is(new HpaController({ minReplicas: 2, maxReplicas: 6, targetUtilisation: 0.5, initialReplicas: 5 }).sync(0, steady(5, 0)), 2);
  const high = new HpaController({ minReplicas: 2, maxReplicas: 6, targetUtilisation: 0.5, initialReplicas: 9 });
  t.is(high.sync(0, steady(9, 5)), 6);
  t.is(high.status!.reason, 'above maxReplicas');
  t.is(new HpaController({ minReplicas: 3, maxReplicas: 6, targetUtilisation: 0.5, initialReplicas: 1 }).sync(0, steady(1, 0)), 3);
});

test('bad configuration and input are refused with a clear message', (t) => {
  t.throws(() => new HpaController({ minReplicas: 3, maxReplicas: 2, targetUtilisation: 0.5 }), { message: /maxReplicas \(2\) is below minReplicas \(3\)/ });
  t.throws(() => new HpaController({ minReplicas: 0, maxReplicas: 2, targetUtilisation: 0.5 }), { message: /minReplicas must be an integer >= 1/ });
  t.throws(() => new HpaController({ minReplicas: 1, maxReplicas: 2, targetUtilisation: 0 }), { message: /targetUtilisation must be a positive number/ });
  t.throws(() => new HpaController({ minReplicas: 1, maxReplicas: 2, targetUtilisation: 0.5, tolerance: 1 }), { message: /tolerance must be below 1/ });
  t.throws(() => new HpaController({ minReplicas: 1, maxReplicas: 2, targetUtilisation: 0.5, syncPeriodS: 0 }), { message: /syncPeriodS/ });
  const c = hpa({ targetUtilisation: 0.5 });
  c.sync(10, steady(1, 0.5));
  t.throws(() => c.sync(5, steady(1, 0.5)), { message: /time went backwards/ });
  t.throws(() => c.sync(20, steady(1, -1)), { message: /pod 0 cpu must be a non-negative number or null/ });
  t.throws(() => c.sync(20, steady(1, NaN)), { message: /pod 0 cpu/ });
  t.throws(() => c.sync(20, [{ cpu: 0.5, startedS: 21 }]), { message: /startedS must be a finite time not after nowS/ });
});

// Properties.

const podArb = fc.record({
  cpu: fc.oneof({ weight: 8, arbitrary: fc.double({ min: 0, max: 4, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(null) }),
  age: fc.double({ min: 0, max: 1000, noNaN: true }),
});
const cfgArb = fc
  .record({
    min: fc.integer({ min: 1, max: 10 }),
    span: fc.integer({ min: 0, max: 40 }),
    target: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
    tolerance: fc.double({ min: 0, max: 0.5, noNaN: true }),
    initial: fc.integer({ min: 1, max: 60 }),
  })
  .map((c) => ({ minReplicas: c.min, maxReplicas: c.min + c.span, targetUtilisation: c.target, tolerance: c.tolerance, initialReplicas: c.initial }));

test('property: every decision is within [minReplicas, maxReplicas]', (t) => {
  fc.assert(
    fc.property(cfgArb, fc.array(fc.array(podArb, { maxLength: 30 }), { minLength: 1, maxLength: 25 }), (cfg, rounds) => {
      const c = new HpaController(cfg);
      rounds.forEach((pods, k) => {
        const now = 15 * k;
        const n = c.sync(now, pods.map((p) => ({ cpu: p.cpu, startedS: now - p.age })));
        if (n < cfg.minReplicas || n > cfg.maxReplicas || !Number.isInteger(n)) throw new Error(`decision ${n} outside [${cfg.minReplicas}, ${cfg.maxReplicas}] at ${now}`);
      });
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('property: a ratio within the tolerance leaves the scale unchanged', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.double({ min: 0.05, max: 1.5, noNaN: true }),
      fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      fc.double({ min: -0.99, max: 0.99, noNaN: true }),
      (n, target, tolerance, where) => {
        const c = new HpaController({ minReplicas: 1, maxReplicas: 100, targetUtilisation: target, tolerance, initialReplicas: n });
        const cpu = target * (1 + where * tolerance); // strictly inside the band
        return c.sync(0, steady(n, cpu)) === n;
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: more load never asks for fewer replicas', (t) => {
  fc.assert(
    fc.property(cfgArb, fc.array(podArb, { minLength: 1, maxLength: 30 }), fc.double({ min: 1, max: 5, noNaN: true }), (cfg, pods, k) => {
      const at = (scale: number) =>
        new HpaController(cfg).sync(
          1000,
          pods.map((p) => ({ cpu: p.cpu === null ? null : p.cpu * scale, startedS: 1000 - p.age })),
        );
      return at(k) >= at(1);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('randomPlacement draws uniformly from the candidates, deterministically', (t) => {
  const draw = (seed: number) => {
    const rng = new Rng(seed, 9);
    return Array.from({ length: 4000 }, () => randomPlacement(rng, [3, 7, 11, 20]));
  };
  const a = draw(1);
  t.deepEqual(a, draw(1));
  for (const node of [3, 7, 11, 20]) {
    const share = a.filter((x) => x === node).length / a.length;
    t.true(Math.abs(share - 0.25) < 0.03, `node ${node}: ${share}`);
  }
  t.throws(() => randomPlacement(new Rng(1), []), { message: /no node has spare capacity/ });
  t.throws(() => randomPlacement(new Rng(1), [1.5]), { message: /non-negative integers/ });
});
