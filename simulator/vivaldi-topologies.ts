// Small synthetic latency topologies whose right answer is known, for Vivaldi tests and tuning:
// points on a line, on a grid, and on a sphere (great-circle RTT plus per-node access delays).
// Each returns a dense symmetric n x n matrix in ms (diagonal 0) and an RttFn over it.
import { Rng } from './rng.ts';
import type { RttFn } from './vivaldi-swarm.ts';

export interface Topology {
  name: string;
  n: number;
  matrix: Float64Array;
  rtt: RttFn;
}

function fromDistance(name: string, n: number, dist: (i: number, j: number) => number): Topology {
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) matrix[i * n + j] = matrix[j * n + i] = dist(i, j);
  return { name, n, matrix, rtt: (i, j) => matrix[i * n + j] };
}

/** n points evenly spaced `spacingMs` apart on a line: RTT = |i - j| * spacing (1-D embeddable). */
export function lineTopology(n: number, spacingMs = 10): Topology {
  return fromDistance(`line${n}`, n, (i, j) => Math.abs(i - j) * spacingMs);
}

/** A side x side grid with `spacingMs` between neighbours: RTT = Euclidean distance (2-D embeddable). */
export function gridTopology(side: number, spacingMs = 10): Topology {
  return fromDistance(`grid${side}x${side}`, side * side, (i, j) => {
    const dx = (i % side) - (j % side);
    const dy = Math.floor(i / side) - Math.floor(j / side);
    return Math.hypot(dx, dy) * spacingMs;
  });
}

export interface SphereOptions {
  seed: number;
  /** Clusters ("continents") the points gather in; 0 = uniform over the sphere. */
  clusters?: number;
  /** Mean access (last-mile) delay per node, ms, exponential; 0 = none. */
  accessMeanMs?: number;
  /** RTT between antipodes over the surface, ms. */
  antipodalMs?: number;
}

/**
 * Points on a sphere's surface: RTT = great-circle distance scaled so antipodes are `antipodalMs`
 * apart, plus both nodes' access delays. Not exactly Euclidean (geodesics bend), which is the point:
 * a realistic curvature that Vivaldi's height and extra dimensions must absorb.
 */
export function sphereTopology(n: number, opts: SphereOptions): Topology {
  const rng = new Rng(opts.seed, 0x73706872);
  const clusters = opts.clusters ?? 0;
  const antipodal = opts.antipodalMs ?? 300;
  const accessMean = opts.accessMeanMs ?? 0;
  const centres: [number, number, number][] = [];
  const unit = (): [number, number, number] => {
    const z = rng.range(-1, 1);
    const ph = rng.range(0, 2 * Math.PI);
    const s = Math.sqrt(1 - z * z);
    return [s * Math.cos(ph), s * Math.sin(ph), z];
  };
  for (let c = 0; c < clusters; c++) centres.push(unit());
  const pts: [number, number, number][] = [];
  const access = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p = unit();
    if (clusters > 0) {
      // A point near a random centre: the centre plus a small random offset, renormalised.
      const c = centres[rng.int(clusters)];
      const q = p.map((v, k) => c[k] + 0.25 * v) as [number, number, number];
      const m = Math.hypot(...q);
      p = q.map((v) => v / m) as [number, number, number];
    }
    pts.push(p);
    access[i] = accessMean > 0 ? accessMean * rng.exponential() : 0;
  }
  return fromDistance(`sphere${n}${clusters ? `c${clusters}` : ''}`, n, (i, j) => {
    const [a, b] = [pts[i], pts[j]];
    const dot = Math.max(-1, Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
    return (Math.acos(dot) / Math.PI) * antipodal + access[i] + access[j];
  });
}

/** A dense matrix of any RttFn (models that compute on demand are slow in the error loop). */
export function densify(name: string, n: number, rtt: RttFn): Topology {
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) matrix[i * n + j] = i === j ? 0 : rtt(i, j);
  return { name, n, matrix, rtt: (i, j) => matrix[i * n + j] };
}
