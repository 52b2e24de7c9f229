// Textbook Vivaldi (Dabek et al. 2004) in plain TypeScript: the baseline the firmware's Vivaldi is
// measured against in the same run. cc = ce = 0.25, a fixed set of random neighbours, no latency
// filter, no gravity, Euclidean dims + height, errors start at 1.
import { Rng } from './rng.ts';
import { errorStats, type RttFn, type SampleFn } from './vivaldi-swarm.ts';
import type { ErrorStats } from './metrics.ts';

export interface TextbookOptions {
  n: number;
  rtt: RttFn;
  sample?: SampleFn;
  seconds: number;
  seed: number;
  dims?: number;
  neighbours?: number;
  cc?: number;
  ce?: number;
  changeAt?: number;
  rttAfter?: RttFn;
}

export function runTextbook(opts: TextbookOptions): { final: ErrorStats; words: Float64Array; dims: number } {
  const { n, seconds } = opts;
  let rtt = opts.rtt;
  const D = opts.dims ?? 2;
  const cc = opts.cc ?? 0.25;
  const ce = opts.ce ?? 0.25;
  const k = Math.min(opts.neighbours ?? 32, n - 1);
  const sample = opts.sample ?? ((b: number) => b);
  const rng = new Rng(opts.seed, 0x74657874);
  const W = D + 2;
  // words: x[0..D-1], height, error, as the harness exports them.
  const words = new Float64Array(n * W);
  const HMIN = 0.01; // heights start above 0 so they can grow (as in the firmware)
  for (let i = 0; i < n; i++) {
    words[i * W + D] = HMIN;
    words[i * W + D + 1] = 1;
  }
  const nb: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const set = new Set<number>();
    while (set.size < k) {
      const j = rng.int(n);
      if (j !== i) set.add(j);
    }
    nb.push(Int32Array.from(set));
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const dir = new Float64Array(D);
  for (let t = 0; t < seconds; t++) {
    if (t === opts.changeAt && opts.rttAfter) rtt = opts.rttAfter;
    rng.shuffle(order);
    for (const i of order) {
      const j = nb[i][rng.int(k)];
      const r = sample(rtt(i, j), rng);
      if (!(r > 0)) continue;
      const xi = i * W, xj = j * W;
      let s = 0;
      for (let d = 0; d < D; d++) {
        dir[d] = words[xi + d] - words[xj + d];
        s += dir[d] * dir[d];
      }
      const ed = Math.sqrt(s);
      const hs = words[xi + D] + words[xj + D];
      const dist = ed + hs;
      const ei = words[xi + D + 1], ej = words[xj + D + 1];
      const w = ei / (ei + ej);
      const es = Math.abs(dist - r) / r;
      words[xi + D + 1] = es * ce * w + ei * (1 - ce * w);
      const force = cc * w * (r - dist);
      if (ed > 1e-6) {
        for (let d = 0; d < D; d++) words[xi + d] += (force * dir[d]) / dist;
        words[xi + D] = Math.max(HMIN, words[xi + D] + (force * hs) / dist);
      } else {
        let m = 0;
        for (let d = 0; d < D; d++) {
          dir[d] = rng.next() - 0.5;
          m += dir[d] * dir[d];
        }
        m = Math.sqrt(m) || 1;
        for (let d = 0; d < D; d++) words[xi + d] += (force * dir[d]) / m;
      }
    }
  }
  return { final: errorStats(words, n, D, rtt), words, dims: D };
}
