// Groups hosts of a measured matrix into k clusters by RTT (k-medoids), so a report can colour
// nodes by "region" even when the data set carries no geography.
import { Rng } from '../rng.ts';

const ROUNDS = 5;

/** Cluster labels 0..k-1 for n hosts; unknown RTTs (NaN) count as far. Deterministic by seed. */
export function clusterByRtt(n: number, rtt: (i: number, j: number) => number, k: number, seed: number): Uint8Array {
  if (!Number.isInteger(k) || k < 1 || k > 255) throw new RangeError(`cluster count must be in 1..255, got ${k}`);
  const labels = new Uint8Array(n);
  k = Math.min(k, n);
  if (k <= 1) return labels;
  const dist = (i: number, j: number) => {
    const v = rtt(i, j);
    return v === v ? v : 1e6;
  };
  // k-means++ seeding: each new medoid is drawn with probability proportional to the squared
  // distance to the nearest chosen one, which spreads them over the real clusters.
  const rng = new Rng(seed, 0x636c7573);
  const medoids = [rng.int(n)];
  const near = new Float64Array(n).fill(Infinity);
  while (medoids.length < k) {
    const last = medoids[medoids.length - 1];
    let total = 0;
    for (let i = 0; i < n; i++) {
      near[i] = Math.min(near[i], dist(i, last) ** 2);
      total += near[i];
    }
    let pick = -1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n && pick < 0; i++) if ((r -= near[i]) < 0 && near[i] > 0) pick = i;
    }
    if (pick < 0) pick = near.findIndex((d) => d > 0); // every host coincides with a medoid
    if (pick < 0) break;
    medoids.push(pick);
  }
  for (let round = 0; round < ROUNDS; round++) {
    assign(n, medoids, dist, labels);
    // Each medoid moves to the member with the smallest total RTT to its cluster.
    const members: number[][] = medoids.map(() => []);
    for (let i = 0; i < n; i++) members[labels[i]].push(i);
    let moved = false;
    for (let c = 0; c < medoids.length; c++) {
      let best = medoids[c], bestCost = Infinity;
      for (const a of members[c]) {
        let cost = 0;
        for (const b of members[c]) cost += dist(a, b);
        if (cost < bestCost) [best, bestCost] = [a, cost];
      }
      if (best !== medoids[c]) [medoids[c], moved] = [best, true];
    }
    if (!moved) break;
  }
  assign(n, medoids, dist, labels);
  return labels;
}

function assign(n: number, medoids: number[], dist: (i: number, j: number) => number, labels: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < medoids.length; c++) if (dist(i, medoids[c]) < dist(i, medoids[best])) best = c;
    labels[i] = best;
  }
}
