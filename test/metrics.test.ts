import test from 'ava';
import fc from 'fast-check';
import {
  cdf,
  centroid,
  centroidDrift,
  convergence,
  errorStats,
  evaluationPairs,
  quantile,
  relativeErrors,
  choiceQuality,
  type RttTruth,
} from '../simulator/metrics.ts';

/** A truth from a small dense table; NaN = unknown. */
function table(rows: number[][]): RttTruth {
  return {
    size: rows.length,
    rtt: (i, j) => rows[i][j],
    known: (i, j) => !Number.isNaN(rows[i][j]),
  };
}

// 4 nodes on a line at 0, 10, 30, 60 ms.
const pos = [0, 10, 30, 60];
const line = table(pos.map((a) => pos.map((b) => Math.abs(a - b))));

test('quantile interpolates linearly between ranks', (t) => {
  t.is(quantile([1, 2, 3, 4], 0.5), 2.5);
  t.is(quantile([1, 2, 3, 4], 0), 1);
  t.is(quantile([1, 2, 3, 4], 1), 4);
  t.is(quantile([10], 0.9), 10);
  t.true(Number.isNaN(quantile([], 0.5)));
  t.throws(() => quantile([1], 1.5), { message: /quantile must be in \[0, 1\]/ });
});

test('evaluation pairs: every pair for small swarms, a seeded sample for large ones', (t) => {
  const all = evaluationPairs(4, 1);
  t.true(all.exhaustive);
  t.deepEqual(Array.from(all.a), [0, 0, 0, 1, 1, 2]);
  t.deepEqual(Array.from(all.b), [1, 2, 3, 2, 3, 3]);
  const s = evaluationPairs(1000, 7, { count: 5000 });
  t.false(s.exhaustive);
  t.is(s.a.length, 5000);
  for (let k = 0; k < 5000; k++) t.true(s.a[k] !== s.b[k] && s.b[k] >= 0 && s.b[k] < 1000);
  t.deepEqual(evaluationPairs(1000, 7, { count: 5000 }).a, s.a);
  t.notDeepEqual(evaluationPairs(1000, 8, { count: 5000 }).a, s.a);
  t.is(evaluationPairs(601, 1).a.length, 200_000);
  t.is(evaluationPairs(600, 1).a.length, (600 * 599) / 2);
  t.throws(() => evaluationPairs(1, 1), { message: /at least 2 nodes/ });
  t.throws(() => evaluationPairs(700, 1, { count: 0 }), { message: /positive integer/ });
});

test('relative error, hand-computed', (t) => {
  // Predict every pair as 20 ms. Actual: 10, 30, 60, 20, 50, 30.
  // Errors: 1, 1/3, 2/3, 0, 3/5, 1/3 -> sorted 0, 1/3, 1/3, 3/5, 2/3, 1.
  const errs = relativeErrors(line, () => 20, evaluationPairs(4, 0));
  const want = [0, 1 / 3, 1 / 3, 3 / 5, 2 / 3, 1];
  errs.forEach((e, k) => t.true(Math.abs(e - want[k]) < 1e-12));
  const s = errorStats(line, () => 20);
  t.true(Math.abs(s.median - (1 / 3 + 3 / 5) / 2) < 1e-12);
  t.true(Math.abs(s.p90 - (2 / 3 + 0.5 * (1 - 2 / 3))) < 1e-12);
  t.is(s.pairs, 6);
});

test('unknown and zero RTTs are left out; non-finite predictions throw', (t) => {
  const truth = table([
    [0, NaN, 10],
    [NaN, 0, 0],
    [10, 0, 0],
  ]);
  const s = errorStats(truth, () => 15);
  t.is(s.pairs, 1);
  t.is(s.median, 0.5);
  t.throws(() => errorStats(line, () => NaN), { message: /predicted RTT for pair \(0, 1\) is NaN/ });
});

test('cdf is monotone and ends at 1', (t) => {
  const c = cdf(Float64Array.from({ length: 1000 }, (_, k) => k), 10);
  t.is(c.x.length, 10);
  t.is(c.y[c.y.length - 1], 1);
  t.is(c.x[0], 99);
  t.deepEqual(cdf([], 10), { x: [], y: [] });
  const odd = cdf([1, 2, 3], 2);
  t.deepEqual(odd, { x: [2, 3], y: [2 / 3, 1] });
  t.throws(() => cdf([1], 1), { message: /at least 2 points/ });
});

test('convergence: first time under 0.2, and settled within 10% of the final median', (t) => {
  const series = [
    { t: 0, median: 1 },
    { t: 10, median: 0.5 },
    { t: 20, median: 0.19 },
    { t: 30, median: 0.25 },
    { t: 40, median: 0.105 },
    { t: 50, median: 0.095 },
    { t: 60, median: 0.1 },
  ];
  t.deepEqual(convergence(series), { reachedThreshold: 20, settled: 40, finalMedian: 0.1 });
  t.deepEqual(convergence([{ t: 5, median: 0.5 }]), { reachedThreshold: null, settled: 5, finalMedian: 0.5 });
  t.is(convergence(series, { threshold: 0.01 }).reachedThreshold, null);
  t.throws(() => convergence([]), { message: /non-empty/ });
  t.throws(() => convergence([{ t: 2, median: 1 }, { t: 1, median: 1 }]), { message: /times must ascend/ });
  t.throws(() => convergence([{ t: 0, median: NaN }]), { message: /not finite/ });
});

test('centroid and its drift', (t) => {
  const c = centroid([0, 0, 2, 0, 2, 2, 0, 2], 2);
  t.deepEqual(Array.from(c), [1, 1]);
  t.is(centroidDrift([1, 1], [4, 5]), 5);
  t.throws(() => centroid([1, 2, 3], 2), { message: /not a multiple of dimension 2/ });
  t.throws(() => centroid([], 2), { message: /no coordinates/ });
  t.throws(() => centroidDrift([1], [1, 2]), { message: /differ in dimension/ });
});

test('replica choice, hand-computed', (t) => {
  // Replicas at nodes 1 (10 ms) and 3 (60 ms) on the line. Client 0 chose 3 (60) instead of 1 (10):
  // stretch 6. Client 2 (at 30) chose 3, 30 away, while node 1 is 20 away: stretch 1.5. Client 3 (at 60)
  // chose 2 (30 away) over 1 (50 away): a hit, stretch 1.
  const q = choiceQuality(line, [
    { client: 0, chosen: 3, replicas: [1, 3] },
    { client: 2, chosen: 3, replicas: [1, 3] },
    { client: 3, chosen: 2, replicas: [1, 2] },
    { client: 1, chosen: 1, replicas: [1] }, // a client hosting the replica itself: best RTT 0, not counted
  ]);
  t.is(q.samples, 3);
  t.is(q.hitRate, 1 / 3);
  t.is(q.stretchMedian, 1.5);
  t.deepEqual(Array.from(q.stretch), [1, 1.5, 6]);
  t.throws(() => choiceQuality(line, [{ client: 0, chosen: 1, replicas: [] }]), { message: /replica set is empty/ });
  t.throws(() => choiceQuality(line, [{ client: 0, chosen: 1, replicas: [9] }]), { message: /replica 9 is not a node index/ });
  t.throws(() => choiceQuality(line, [{ client: -1, chosen: 1, replicas: [1] }]), { message: /client -1 is not a node index/ });
});

test('property: perfect predictions give error 0; choosing by the true RTT gives hit rate 1, stretch 1', (t) => {
  // Random points in a plane: a metric, so the perfect prediction is the truth itself.
  const points = fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })), {
    minLength: 3,
    maxLength: 40,
  });
  fc.assert(
    fc.property(points, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (pts, picks) => {
      const n = pts.length;
      const d = (i: number, j: number) => Math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
      const truth: RttTruth = { size: n, rtt: d, known: () => true };
      const s = errorStats(truth, d);
      if (s.pairs > 0 && (s.median !== 0 || s.p90 !== 0 || s.p99 !== 0)) return false;
      const replicas = [...new Set(picks.map((p) => p % n))];
      // Every client choosing the replica with the smallest true RTT.
      const choices = Array.from({ length: n }, (_, c) => ({ client: c, chosen: replicas.reduce((a, b) => (d(c, b) < d(c, a) ? b : a)), replicas }));
      const q = choiceQuality(truth, choices);
      return q.samples === 0 || (q.hitRate === 1 && q.stretchMedian === 1 && q.stretchP90 === 1);
    }),
    { numRuns: 200 },
  );
  t.pass();
});
