// What the simulator reports, as pure functions of the truth (the latency model), the
// nodes' predictions (their Vivaldi coordinates), their routing choices and time series. Definitions: docs/simulator.md.
import { Rng } from './rng.ts';

export type PairFn = (i: number, j: number) => number;

/** The part of a latency model the metrics need. */
export interface RttTruth {
  readonly size: number;
  rtt(i: number, j: number): number;
  known(i: number, j: number): boolean;
}

/** Up to this many nodes every pair is evaluated (600 nodes: 179,700 pairs). */
export const ALL_PAIRS_MAX_NODES = 600;
/** Above it, this many pairs drawn from the seed. */
export const SAMPLED_PAIRS = 200_000;

/** The pairs (a[k], b[k]), a[k] != b[k], that error metrics are computed over. */
export interface PairSample {
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** true when the sample is every unordered pair. */
  readonly exhaustive: boolean;
}

/**
 * Every unordered pair when n <= allPairsUpTo, else `count` pairs drawn from `seed`. Compute it
 * once per run and reuse it, so error over time is always measured on the same pairs.
 */
export function evaluationPairs(
  n: number,
  seed: number,
  opts: { allPairsUpTo?: number; count?: number } = {},
): PairSample {
  const allPairsUpTo = opts.allPairsUpTo ?? ALL_PAIRS_MAX_NODES;
  const count = opts.count ?? SAMPLED_PAIRS;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`error metrics need at least 2 nodes, got ${n}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`pair count must be a positive integer, got ${count}`);
  if (n <= allPairsUpTo) {
    const m = (n * (n - 1)) / 2;
    const a = new Int32Array(m), b = new Int32Array(m);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, k++) {
        a[k] = i;
        b[k] = j;
      }
    }
    return { a, b, exhaustive: true };
  }
  const rng = new Rng(seed, 0x70616972);
  const a = new Int32Array(count), b = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const i = rng.int(n);
    let j = rng.int(n - 1);
    if (j >= i) j++; // uniform over the other n-1 nodes
    a[k] = i;
    b[k] = j;
  }
  return { a, b, exhaustive: false };
}

/**
 * Relative error |predicted - rtt| / rtt of each evaluated pair with a known, positive RTT,
 * sorted ascending. A non-finite prediction is a bug upstream and throws.
 */
export function relativeErrors(truth: RttTruth, predicted: PairFn, pairs: PairSample): Float64Array {
  const out = new Float64Array(pairs.a.length);
  let m = 0;
  for (let k = 0; k < pairs.a.length; k++) {
    const i = pairs.a[k], j = pairs.b[k];
    if (!truth.known(i, j)) continue;
    const actual = truth.rtt(i, j);
    if (!(actual > 0)) continue;
    const p = predicted(i, j);
    if (!Number.isFinite(p)) throw new Error(`predicted RTT for pair (${i}, ${j}) is ${p}; predictions must be finite`);
    out[m++] = Math.abs(p - actual) / actual;
  }
  return out.subarray(0, m).sort();
}

/** Linear-interpolation quantile (R type 7) of an ascending array; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface ErrorStats {
  median: number;
  p90: number;
  p99: number;
  mean: number;
  /** Pairs that counted (known, positive RTT). */
  pairs: number;
}

export function summarise(sorted: ArrayLike<number>): ErrorStats {
  let sum = 0;
  for (let k = 0; k < sorted.length; k++) sum += sorted[k];
  return {
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    mean: sorted.length > 0 ? sum / sorted.length : NaN,
    pairs: sorted.length,
  };
}

/** Relative-error statistics over the evaluation pairs (default: all pairs or a seed-0 sample). */
export function errorStats(truth: RttTruth, predicted: PairFn, pairs: PairSample = evaluationPairs(truth.size, 0)): ErrorStats {
  return summarise(relativeErrors(truth, predicted, pairs));
}

/** An empirical CDF downsampled to at most `points` steps (plus the last), for plotting: y[k] = share of values <= x[k]. */
export function cdf(sorted: ArrayLike<number>, points = 200): { x: number[]; y: number[] } {
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`cdf needs at least 2 points, got ${points}`);
  const n = sorted.length;
  const x: number[] = [], y: number[] = [];
  if (n === 0) return { x, y };
  const step = Math.ceil(n / points);
  for (let k = step - 1; k < n; k += step) {
    x.push(sorted[k]);
    y.push((k + 1) / n);
  }
  if (y[y.length - 1] !== 1) {
    x.push(sorted[n - 1]);
    y.push(1);
  }
  return { x, y };
}

export interface Convergence {
  /** First time the median error is <= threshold, or null if never. */
  reachedThreshold: number | null;
  /** First time after which the median stays within `band` (relative) of the final median, or null. */
  settled: number | null;
  finalMedian: number;
}

/**
 * Convergence of an error-over-time series (times ascending). Defaults: threshold 0.2 (a
 * usable coordinate), band 0.1 (within 10% of where it ends up).
 */
export function convergence(
  series: readonly { t: number; median: number }[],
  opts: { threshold?: number; band?: number } = {},
): Convergence {
  const threshold = opts.threshold ?? 0.2;
  const band = opts.band ?? 0.1;
  if (series.length === 0) throw new RangeError('convergence needs a non-empty error series');
  for (let k = 0; k < series.length; k++) {
    const { t, median } = series[k];
    if (!Number.isFinite(t) || !Number.isFinite(median)) throw new RangeError(`error series point ${k} is not finite: t=${t}, median=${median}`);
    if (k > 0 && t < series[k - 1].t) throw new RangeError(`error series times must ascend: point ${k} (t=${t}) is before point ${k - 1}`);
  }
  const reached = series.find((p) => p.median <= threshold);
  const finalMedian = series[series.length - 1].median;
  let settledIdx = series.length;
  while (settledIdx > 0 && Math.abs(series[settledIdx - 1].median - finalMedian) <= band * finalMedian) settledIdx--;
  return {
    reachedThreshold: reached ? reached.t : null,
    settled: settledIdx < series.length ? series[settledIdx].t : null,
    finalMedian,
  };
}

/** Centroid of n coordinate vectors of dimension dim, stored row-major in `coords`. */
export function centroid(coords: ArrayLike<number>, dim: number): Float64Array {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dimension must be a positive integer, got ${dim}`);
  if (coords.length % dim !== 0) throw new RangeError(`coordinate array length ${coords.length} is not a multiple of dimension ${dim}`);
  const n = coords.length / dim;
  const c = new Float64Array(dim);
  if (n === 0) throw new RangeError('centroid of no coordinates');
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) c[d] += coords[i * dim + d];
  for (let d = 0; d < dim; d++) c[d] /= n;
  return c;
}

/** Euclidean distance (ms) the centroid moved between two snapshots: Vivaldi's drift. */
export function centroidDrift(before: ArrayLike<number>, after: ArrayLike<number>): number {
  if (before.length !== after.length) throw new RangeError(`centroids differ in dimension: ${before.length} vs ${after.length}`);
  let s = 0;
  for (let d = 0; d < before.length; d++) s += (after[d] - before[d]) ** 2;
  return Math.sqrt(s);
}

export interface ReplicaQuality {
  /** Share of counted choices that went to a truly nearest replica (smallest real RTT). */
  hitRate: number;
  /** chosen RTT / best RTT: median and p90 (1 = perfect). */
  stretchMedian: number;
  stretchP90: number;
  /** Choices that counted. */
  samples: number;
  /** Every stretch, ascending (for a CDF). */
  stretch: Float64Array;
}

/** One routing decision: `client` sent a call for a species to `chosen`, one of `replicas`. */
export interface ReplicaChoice {
  client: number;
  chosen: number;
  replicas: ArrayLike<number>;
}

/**
 * How good routing choices were against the truth. A choice is a hit when the chosen replica's real
 * RTT equals the best real RTT from the client over its replicas; stretch = chosen RTT / best RTT.
 * Replicas with unknown RTT to the client are not candidates for the truth; a choice whose real RTT
 * is unknown, or a best RTT of 0, does not count.
 */
export function choiceQuality(truth: RttTruth, choices: readonly ReplicaChoice[]): ReplicaQuality {
  const n = truth.size;
  const checkNode = (x: number, what: string) => {
    if (!Number.isInteger(x) || x < 0 || x >= n) throw new RangeError(`${what} ${x} is not a node index in 0..${n - 1}`);
  };
  const stretch: number[] = [];
  let hits = 0;
  for (const { client, chosen, replicas } of choices) {
    checkNode(client, 'client');
    checkNode(chosen, 'chosen replica');
    if (replicas.length === 0) throw new RangeError('a replica set is empty');
    let best = Infinity;
    for (let r = 0; r < replicas.length; r++) {
      checkNode(replicas[r], 'replica');
      if (truth.known(client, replicas[r])) best = Math.min(best, truth.rtt(client, replicas[r]));
    }
    if (!truth.known(client, chosen) || !(best > 0) || best === Infinity) continue;
    const real = truth.rtt(client, chosen);
    if (real <= best) hits++;
    stretch.push(real / best);
  }
  const sorted = Float64Array.from(stretch).sort();
  return {
    hitRate: sorted.length > 0 ? hits / sorted.length : NaN,
    stretchMedian: quantile(sorted, 0.5),
    stretchP90: quantile(sorted, 0.9),
    samples: sorted.length,
    stretch: sorted,
  };
}
